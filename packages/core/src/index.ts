/**
 * @agentsocket/core — real-time WebSocket infrastructure for AI agents, free of any framework.
 *
 * The connection manager owns connections (auth before the upgrade, limits, heartbeat, lookups,
 * broadcast); the message router speaks the `{type, payload, requestId}` protocol; adapters for
 * Hono, Express and Fastify bind it to a server through the contract in `adapter-types.ts`.
 */
export { WebSocketConnectionManager } from "./connection-manager.ts";
export { WebSocketMessageRouter, describeIssues } from "./message-router.ts";
export type { MessageRouterOptions, RouteContext, RouteHandler } from "./message-router.ts";
export { CloseCode, WebSocketConnectionError, WebSocketError } from "./errors.ts";
export type { ErrorCode, WebSocketErrorOptions } from "./errors.ts";
export { DEFAULTS } from "./config.ts";
export type { ResolvedConfig } from "./config.ts";
export { OPEN } from "./types.ts";
export type {
  SocketLike,
  WebSocketConfig,
  WebSocketConnection,
  WebSocketData,
  WebSocketHandler,
  WebSocketMessage,
  WebSocketMessageType,
} from "./types.ts";
export type {
  AuthConfig,
  AuthenticatedUser,
  CredentialValidator,
  CustomAuthConfig,
  HeaderSource,
  JwtOptions,
  NoAuthConfig,
  TokenAuthConfig,
  UpgradeRequest,
} from "./auth/types.ts";
export { createAuthenticator } from "./auth/authenticate.ts";
export type { AuthResult, Authenticator } from "./auth/authenticate.ts";
export { parseRequestUrl, readHeader } from "./auth/request.ts";
export type {
  ConnectionEvents,
  UpgradeAccepted,
  UpgradeDecision,
  UpgradeRejected,
} from "./adapter-types.ts";
export { errorFrame, parseEnvelope } from "./protocol.ts";
export type { ClientEnvelope, ErrorFrame, ServerFrame } from "./protocol.ts";
export { PROTOCOL_VERSION } from "./system-frames.ts";
export { acceptNodeWebSocket } from "./node-socket.ts";
export type { NodeWebSocketLike } from "./node-socket.ts";
export type {
  AgentBackend,
  AgentGenerateResult,
  AgentRequestOptions,
  AgentStreamChunk,
  AgentStreamResult,
  AgentToolCall,
  AgentToolInfo,
  TokenUsage,
} from "./agent/backend.ts";
export { createAgentWebSocketHandler } from "./agent/ws-handler.ts";
export { createAgentService } from "./agent/service.ts";
export type { AgentIdentity, AgentOptions, AgentService } from "./agent/service.ts";
export { createDemoAgent } from "./agent/demo-agent.ts";
export type { DemoAgentOptions } from "./agent/demo-agent.ts";
export { evaluateExpression } from "./agent/calculator.ts";
export { createStreamingChannel } from "./streaming/channel.ts";
export type { StreamingChannel, StreamingChannelOptions } from "./streaming/channel.ts";
export { socketWriter } from "./streaming/frame-writer.ts";
export type { FrameWriter } from "./streaming/frame-writer.ts";
export { createSseStream, SSE_HEADERS } from "./streaming/sse.ts";
export type { SseStream } from "./streaming/sse.ts";
