/**
 * @agentsocket/server — a complete agent server in one call, on Hono, Express or Fastify:
 * WebSocket endpoints from @agentsocket/core, health routes, and your own routes.
 */
export { AgentServer, createServer } from "./create-server.ts";
export type { CreateServerOptions, Framework, ServerConfig } from "./create-server.ts";
export type { HttpMethod, RouteContext, RouteDefinition } from "./routes.ts";
export { websocketHealth } from "./health.ts";
export { chatPage } from "./chat-page.ts";
export type { ChatPageOptions } from "./chat-page.ts";
export * from "@agentsocket/core";
