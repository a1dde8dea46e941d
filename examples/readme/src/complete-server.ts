// README "A complete server": a manager of our own passed to createServer.
import { createDemoAgent } from "@agentsocket/server";

const neurolink = createDemoAgent();
// #region readme
import { createServer, WebSocketConnectionManager } from "@agentsocket/server";

const websocket = new WebSocketConnectionManager({
  maxConnections: 1000,
  auth: { strategy: "bearer", jwt: { secret: process.env.JWT_SECRET! } },
});
websocket.registerHandler("/ws", {
  onOpen: (connection) => console.log(`hello ${connection.user?.id}`),
  onMessage: (connection, message) => websocket.send(connection.id, message.data),
});

const server = await createServer(neurolink, {
  framework: "fastify",
  config: { port: 3000, websocket },
});
await server.start(); // ws://localhost:3000/ws, GET /api/health, /api/ready, /api/health/websocket
// A deploy: idle sockets reconnect elsewhere (1012), running streams get 25 s to finish.
process.on("SIGTERM", () => server.stop({ graceMs: 25_000 }));
// #endregion
