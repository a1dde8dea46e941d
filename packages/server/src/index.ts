/**
 * @agentsocket/server — a complete agent server in one call, on Hono, Express or Fastify:
 * WebSocket endpoints from @agentsocket/core, the agent over HTTP/SSE, health routes, and your
 * own routes. Core's app-facing names are re-exported, so one import is enough for the seed's
 * `import { createServer, WebSocketConnectionManager }`.
 */
export { AgentServer, createServer } from "./create-server.ts";
export type { CreateServerOptions, Framework, ServerConfig } from "./create-server.ts";
export type { SocketIOConfig } from "./socketio.ts";
export type { ChatPathConfig } from "./chat-path.ts";
export type {
  FetchRoute,
  HandlerRoute,
  HttpMethod,
  HttpRouteContext,
  RouteDefinition,
} from "./routes.ts";
export { websocketHealth } from "./health.ts";
export type { HealthCheck, HealthCheckReport, HealthCheckResult } from "./health-checks.ts";
export { createPrometheusMetrics } from "./prometheus.ts";
export type { PrometheusMetrics, PrometheusMetricsOptions } from "./prometheus.ts";
export { createOpenTelemetryInstrumentation } from "./opentelemetry.ts";
export type { MeterLike, OpenTelemetryOptions } from "./opentelemetry.ts";
export { AgentSocketServer, NeuroLinkWebSocketServer } from "./standalone/standalone-server.ts";
export type { AgentSocketServerOptions } from "./standalone/standalone-server.ts";
export type {
  ConnectionEvent,
  DisconnectEvent,
  ErrorEvent,
  HeartbeatEvent,
  MessageEvent,
  StandaloneEvents,
} from "./standalone/events.ts";
export type { StandaloneChannel } from "./standalone/facade.ts";
export type { MetricsOptions, StandaloneStats } from "./standalone/stats.ts";
export { chatPage } from "./chat-page.ts";
export type { ChatPageOptions } from "./chat-page.ts";
export { MissingPeerError } from "./import-peer.ts";
export { createDemoAgent } from "@agentsocket/core/demo";
export type { DemoAgentOptions } from "@agentsocket/core/demo";
export {
  CloseCode,
  createAgentHttpHandler,
  createAgentService,
  createAgentWebSocketHandler,
  createEnhancedChatService,
  createMemoryConversationStore,
  createStreamingChannel,
  ERRORS,
  WebSocketConnectionError,
  WebSocketConnectionManager,
  WebSocketError,
  WebSocketMessageRouter,
} from "@agentsocket/core";
export type {
  AgentBackend,
  AgentOptions,
  AgentService,
  AuthConfig,
  AuthenticatedUser,
  ChatSession,
  ConnectionStats,
  Conversation,
  ConversationMessage,
  ConversationStore,
  EnhancedChatService,
  ErrorCode,
  Instrumentation,
  RouteContext,
  RouteHandler,
  StreamingChannel,
  StreamingChannelOptions,
  WebSocketConfig,
  WebSocketConnection,
  WebSocketData,
  WebSocketHandler,
  WebSocketMessage,
} from "@agentsocket/core";
