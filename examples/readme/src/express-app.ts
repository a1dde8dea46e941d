// README "Into an existing app → Express".
// #region readme
import express from "express";
import { WebSocketConnectionManager } from "@agentsocket/core";
import { attachWebSocket } from "@agentsocket/express";

const app = express();
app.get("/", (_req, res) => res.send("my app"));

const manager = new WebSocketConnectionManager({
  auth: { strategy: "apiKey", apiKeys: { [process.env.API_KEY!]: { id: "svc" } } },
});
manager.registerHandler("/ws", {
  onMessage: (conn, msg) => manager.send(conn.id, `echo: ${msg.data}`),
});

const server = app.listen(3000);
attachWebSocket(server, manager); // other upgrade listeners keep working
// #endregion
