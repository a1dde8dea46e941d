import { WebSocket } from "ws";
import { runConformanceSuite } from "@agentsocket/core/testing";
import { createDemoAgent, createServer, type Framework } from "./index.ts";

for (const framework of ["hono", "express", "fastify"] as Framework[]) {
  runConformanceSuite({
    name: `createServer/${framework}`,
    WebSocket,
    server: true,
    async start(manager, agent) {
      const server = await createServer(agent ?? createDemoAgent(), {
        framework,
        config: { port: 0, host: "127.0.0.1", websocket: manager },
      });
      await server.start();
      return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
    },
  });
}
