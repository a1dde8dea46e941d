/**
 * A Hono app on Node (`@hono/node-server`) with routes of its own and CORS for its browser
 * front end, that adds an AI agent over WebSocket at `/ws`. The same origin list guards both:
 * `cors()` for `fetch`, `allowedOrigins` for the WebSocket handshake (which CORS does not cover).
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer, upgradeWebSocket } from "@hono/node-server";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { WebSocketServer } from "ws";
import {
  createAgentWebSocketHandler,
  WebSocketConnectionManager,
  type AgentBackend,
} from "@agentsocket/core";
import { createDemoAgent } from "@agentsocket/core/demo";
import { createWebSocketMiddleware } from "@agentsocket/hono";

/** Options of {@link createApp} and {@link startApp}. */
export interface AppOptions {
  /** The agent behind `/ws`. @default createDemoAgent() */
  agent?: AgentBackend;
  /**
   * Browser origins allowed to call the API and open the WebSocket.
   * @default [process.env.APP_ORIGIN ?? "http://localhost:5173"]
   */
  allowedOrigins?: string[];
}

/** Builds the Hono app and the connection manager that serves its WebSocket endpoint. */
export function createApp(options: AppOptions = {}) {
  const allowedOrigins = options.allowedOrigins ?? [
    process.env.APP_ORIGIN ?? "http://localhost:5173",
  ];

  // --- agentsocket -------------------------------------------------------------------------
  // A handshake from another browser origin is refused with HTTP 403 before the upgrade.
  // (Clients without an Origin header, such as servers and CLIs, are not browsers and pass.)
  const manager = new WebSocketConnectionManager({ allowedOrigins });
  manager.registerHandler("/ws", createAgentWebSocketHandler(options.agent ?? createDemoAgent()));
  // -----------------------------------------------------------------------------------------

  const app = new Hono();
  app.use("/api/*", cors({ origin: allowedOrigins }));
  app.use(createWebSocketMiddleware(manager, { upgradeWebSocket })); // agentsocket: serves /ws

  app.get("/", (c) => c.text("Hono on Node. The agent is at /ws.\n"));
  app.get("/api/info", (c) =>
    c.json({
      app: "hono-node example",
      websocket: "/ws",
      connections: manager.getConnectionCount(),
    }),
  );

  return { app, manager };
}

/** A listening app. */
export interface RunningApp {
  /** Base HTTP URL, e.g. `http://127.0.0.1:3003`. */
  url: string;
  server: Server;
  manager: WebSocketConnectionManager;
  /** Closes every WebSocket with 1001, then the HTTP server. */
  close(): Promise<void>;
}

/**
 * Builds the app and listens on `port` (0 picks a free one).
 * @param options the app's options, plus `port` (default 3000) and `host` (default all interfaces).
 */
export async function startApp(
  options: AppOptions & { port?: number; host?: string } = {},
): Promise<RunningApp> {
  const { app, manager } = createApp(options);
  // agentsocket: @hono/node-server upgrades through this `ws` server; cap frames at the
  // manager's limit so an oversize frame never gets buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: manager.config.maxMessageSize });
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: wss } }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port ?? 3000, host: options.host }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "localhost"}:${port}`,
    server,
    manager,
    async close() {
      await manager.closeAll();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
