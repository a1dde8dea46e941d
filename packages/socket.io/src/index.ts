/**
 * @agentsocket/socket.io — an agentsocket agent on a Socket.IO 4 namespace, for apps whose
 * frontend already speaks Socket.IO: seed 001's `chat:*` events and seed 002's `ai:*` events,
 * both on one namespace, with the same auth, limits, sanitized errors, backpressure and
 * cancellation as the `/ws` endpoint. `createServer(…, { config: { socketio: {} } })` in
 * `@agentsocket/server` attaches it for you.
 *
 * @example
 * import { Server } from "socket.io";
 * import { attachAgent } from "@agentsocket/socket.io";
 * attachAgent(new Server(httpServer), neurolink, { auth: { strategy: "bearer", jwt: { secret } } });
 */
export { attachAgent } from "./attach-agent.ts";
export type { SocketIOAgent, SocketIOAgentOptions } from "./attach-agent.ts";
export type { HandshakeAuthority } from "./handshake-auth.ts";
export type { ClientRecord, ReconnectStore, StreamRecord } from "./known-clients.ts";
export type {
  AgentClientEvents,
  AgentServerEvents,
  AiDonePayload,
  AiStreamPayload,
  ChatEndPayload,
  ChatStartPayload,
} from "./events.ts";
