/**
 * The configuration of `createServer(neurolink, { framework, config })`: which framework, the
 * port and routes, and the WebSocket, agent, Socket.IO, metrics and chat sides.
 */
import type { AgentOptions, WebSocketConfig, WebSocketConnectionManager } from "@agentsocket/core";
import type { ChatPathConfig } from "./chat-path.ts";
import type { PrometheusMetricsOptions } from "./prometheus.ts";
import type { SocketIOConfig } from "./socketio.ts";

export type Framework = "hono" | "express" | "fastify";

/** Server configuration. */
export interface ServerConfig {
  /** Port to listen on; 0 picks a free one (read it back from `server.port`). @default 3000 */
  port?: number;
  /** Interface to bind. @default all interfaces */
  host?: string;
  /** Prefix of the built-in HTTP routes. @default "/api" */
  basePath?: string;
  /** The WebSocket side: a config for a new manager, or a manager built separately. */
  websocket?: WebSocketConfig | WebSocketConnectionManager;
  /** Limits and streaming behaviour of the agent endpoints (WebSocket and HTTP alike). */
  agent?: AgentOptions;
  /**
   * Also serve the agent to `socket.io-client` apps (seed 001's `chat:*`, seed 002's `ai:*`
   * events) on the same HTTP server; needs `socket.io` and `@agentsocket/socket.io` installed.
   * `true` takes every default. @default off
   */
  socketio?: SocketIOConfig | boolean;
  /**
   * `GET {basePath}/metrics` in Prometheus text format (`docs/metrics.md`); `false` turns it off,
   * `{ registry }` registers the metrics in the app's own `prom-client` registry. @default true
   */
  metrics?: boolean | PrometheusMetricsOptions;
  /**
   * The Vercel AI SDK WebSocket chat protocol (`useChat` with `ai`'s `WebSocketChatTransport`)
   * at `chat.path`, with the same auth as `/ws`; `false` turns it off. @default { path: "/chat" }
   */
  chat?: ChatPathConfig | false;
}

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** @default "hono" */
  framework?: Framework;
  config?: ServerConfig;
}
