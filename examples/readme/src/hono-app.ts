// README "Into an existing app → Hono (Node)".
// #region readme
import { Hono } from "hono";
import { serve, upgradeWebSocket } from "@hono/node-server";
import { WebSocketServer } from "ws";
import { WebSocketConnectionManager } from "@agentsocket/core";
import { createWebSocketMiddleware } from "@agentsocket/hono";

const manager = new WebSocketConnectionManager({ allowedOrigins: ["https://app.example.com"] });
manager.registerHandler("/ws", {
  onMessage: (conn, msg) => manager.send(conn.id, `echo: ${msg.data}`),
});

const app = new Hono();
app.use(createWebSocketMiddleware(manager, { upgradeWebSocket })); // hono/bun, hono/deno too
app.get("/", (c) => c.text("my app"));

const wss = new WebSocketServer({ noServer: true, maxPayload: manager.config.maxMessageSize });
serve({ fetch: app.fetch, port: 3000, websocket: { server: wss } });
// #endregion
