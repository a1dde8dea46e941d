import { createServer } from "node:http";
import express from "express";
import { WebSocket } from "ws";
import { listenForTests, runConformanceSuite } from "@agentsocket/core/testing";
import { attachWebSocket } from "./index.ts";

runConformanceSuite({
  name: "express",
  WebSocket,
  async start(manager) {
    const app = express();
    app.get("/hello", (_req, res) => res.json({ hello: "world" }));
    const server = createServer(app);
    const detach = attachWebSocket(server, manager);
    return listenForTests(server, async () => {
      await manager.closeAll();
      detach();
    });
  },
});
