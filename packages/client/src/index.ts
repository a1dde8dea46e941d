/**
 * @agentsocket/client — the agentsocket client for browsers and Node.js, with no dependencies.
 *
 * `createAgentSocketClient({ url })` streams answers (`for await` over `client.stream()`),
 * generates, calls tools and joins rooms over one WebSocket that reconnects by itself and, when
 * the server has resume on, continues every stream where it was cut off.
 */
export { createAgentSocketClient, AgentSocketClient } from "./client.ts";
export type {
  ClientEvents,
  ClientMessage,
  GenerateResult,
  PromptOptions,
  RequestOptions,
} from "./protocol.ts";
export { AgentStream } from "./agent-stream.ts";
export type { StreamEvent, StreamResult, StreamUsage } from "./agent-stream.ts";
export { AgentSocketError } from "./errors.ts";
export type { AgentSocketErrorOptions, ClientErrorCode } from "./errors.ts";
export type { ClientState, ServerFrame } from "./link.ts";
export type {
  AgentSocketClientOptions,
  ConnectionParams,
  ReconnectOptions,
  WebSocketConstructor,
  WebSocketLike,
} from "./options.ts";
