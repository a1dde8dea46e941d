import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { WebSocket } from "ws";
import { runConformanceSuite } from "@agentsocket/core/testing";
import { attachWebSocket } from "./index.ts";

runConformanceSuite({
  name: "express",
  WebSocket,
  async start(manager) {
    const app = express();
    app.get("/hello", (_req, res) => res.json({ hello: "world" }));
    const server = createServer(app);
    const detach = attachWebSocket(server, manager);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    let stopped: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      stop: () =>
        (stopped ??= (async () => {
          await manager.closeAll();
          detach();
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        })()),
    };
  },
});
