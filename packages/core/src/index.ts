/**
 * @agentsocket/core — real-time WebSocket infrastructure for AI agents, free of any framework.
 *
 * The connection manager owns connections (auth before the upgrade, limits, heartbeat, lookups,
 * broadcast); the message router speaks the `{type, payload, requestId}` protocol; the agent
 * handler serves a NeuroLink-shaped backend over it. More lives behind subpaths:
 * `@agentsocket/core/adapter` (binding core to a server), `/streaming`, `/agent`, `/demo`,
 * `/testing`.
 */
export { WebSocketConnectionManager } from "./connection-manager.ts";
export { WebSocketMessageRouter } from "./message-router.ts";
export type { MessageRouterOptions, RouteContext, RouteHandler } from "./message-router.ts";
export { CloseCode, ERRORS, WebSocketConnectionError, WebSocketError } from "./errors.ts";
export type { ErrorCode, ErrorSpec, KnownErrorCode, WebSocketErrorOptions } from "./errors.ts";
export type { ResolvedConfig } from "./config.ts";
export type { ConnectionWork, DrainOptions } from "./drain.ts";
export type { SessionsOptions } from "./sessions/options.ts";
export type {
  SessionInfo,
  SessionResumeFailure,
  SessionStreamInfo,
  SessionStreamsProvider,
} from "./sessions/registry.ts";
export type { CompressionOptions } from "./compression.ts";
export { SAME_ORIGIN } from "./origin-policy.ts";
export {
  CREDENTIAL_HEADERS,
  CREDENTIAL_PARAMS,
  REDACTED,
  redactHeaders,
  redactUrl,
} from "./redact.ts";
export type { HandlerOptions } from "./path-options.ts";
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
export type { AuthResult } from "./auth/authenticate.ts";
export type {
  ConnectionClosedEvent,
  HandshakeRejectedEvent,
  Instrumentation,
  StreamEndedEvent,
  StreamStatus,
} from "./instrumentation/instrumentation.ts";
export type { ConnectionStats } from "./instrumentation/stats.ts";
export type { ClientEnvelope, ErrorFrame, ServerFrame } from "./protocol.ts";
export { createMemoryTicketStore } from "./limits/tickets.ts";
export type { MemoryTicketStoreOptions, TicketStore } from "./limits/tickets.ts";
export { createTicketHandler } from "./limits/ticket-handler.ts";
export type { IssuedTicket } from "./limits/connection-limits.ts";
export type { LimitsConfig, RateLimitOptions, TicketOptions } from "./limits/options.ts";
export { createMemoryBroker } from "./cluster/memory-broker.ts";
export { registerBrokerType } from "./cluster/broker-registry.ts";
export type { BrokerConfig } from "./cluster/broker-registry.ts";
export type {
  BrokerMessage,
  BrokerNode,
  BrokerState,
  BrokerTarget,
  BrokerTopic,
  LimitStore,
  MessageBroker,
  PresenceMember,
  PresenceNode,
  PresenceStore,
} from "./cluster/broker.ts";
export type {
  ClusterHealth,
  ClusterRoomInfo,
  ClusterStats,
  ClusterView,
} from "./cluster/cluster-view.ts";
export type { BroadcastOptions } from "./cluster/fanout.ts";
export type { OutboundFrame } from "./rooms/outbound.ts";
export type { RoomsOptions } from "./rooms/options.ts";
export type { RoomInfo } from "./rooms/room-registry.ts";
export { createMemoryStreamStore } from "./stream-store/memory-stream-store.ts";
export type { MemoryStreamStoreOptions } from "./stream-store/memory-stream-store.ts";
export {
  checkAppend,
  frameBytes,
  newStreamMeta,
  resolveStreamRetention,
  STREAM_RETENTION_DEFAULTS,
} from "./stream-store/stream-store.ts";
export type {
  ResolvedStreamRetention,
  StoredFrame,
  StreamInit,
  StreamListFilter,
  StreamMeta,
  StreamRead,
  StreamRetention,
  StreamScope,
  StreamState,
  StreamStore,
} from "./stream-store/stream-store.ts";
export { openStreamTail } from "./stream-store/stream-tail.ts";
export type {
  ResumeRefusal,
  StreamTail,
  StreamTailEnd,
  StreamTailOptions,
  StreamTailRefusal,
} from "./stream-store/stream-tail.ts";
export { createStreamingChannel } from "./streaming/channel.ts";
export type { StreamingChannel, StreamingChannelOptions } from "./streaming/channel.ts";
export {
  createAgentHttpHandler,
  createAgentService,
  createAgentWebSocketHandler,
  createChatWebSocketHandler,
  createConversationHttpHandler,
  createEnhancedChatService,
  createMemoryConversationStore,
} from "./agent/index.ts";
export type {
  AgentBackend,
  AgentConversationOptions,
  AgentConversationsOption,
  AgentGenerateResult,
  ChatSession,
  EnhancedChatService,
  EnhancedChatServiceOptions,
  AgentHttpHandler,
  AgentHttpHandlerOptions,
  AgentIdentity,
  AgentOptions,
  AgentRequestOptions,
  AgentResumeOption,
  AgentResumeOptions,
  AgentWebSocketHandler,
  ResumableStreamInfo,
  AgentService,
  AgentStreamChunk,
  AgentStreamResult,
  AgentToolCall,
  AgentToolInfo,
  ChatBackend,
  ChatHandlerOptions,
  ChatStreamRequest,
  ChatWebSocketHandler,
  Conversation,
  ConversationMessage,
  ConversationPage,
  ConversationStore,
  TokenUsage,
} from "./agent/index.ts";
