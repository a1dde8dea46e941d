/**
 * What the holes script (holes.ts) may configure on the hostile server beyond its defaults, sent
 * to it as JSON on its command line, and the user route it adds for bodies.
 */
import type { AgentOptions, WebSocketConfig } from "@agentsocket/core";

/** A hostile server's configuration beyond `createServer`'s defaults. JSON only. */
export interface ServerProfile {
  /** `config.websocket`: e.g. `allowedOrigins`, `maxMessageSize`, `auth` with a JWT secret. */
  websocket?: WebSocketConfig;
  /** `config.agent`: e.g. `allowedTools`. */
  agent?: AgentOptions;
  /** Authenticate every handshake with a custom `validate` that takes this many ms, then accepts. */
  authDelayMs?: number;
}

/** `POST` route answering `{ body, inAuth }`: the parsed body, and handshakes that entered auth. */
export const ECHO_ROUTE = "/__hostile/echo";
