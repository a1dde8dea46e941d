/**
 * Cluster server under test: agentsocket's `createServer` on the framework named by argv[2],
 * one of three instances sharing the Redis at argv[3] through `@agentsocket/redis`. Clients
 * join rooms with `join` frames; the orchestrator's broadcasts become `broadcastToRoom` sends.
 */
import { createRedisBroker } from "@agentsocket/redis";
import { createServer, type Framework } from "@agentsocket/server";
import { serveControl } from "../control.ts";
import { fakeBackend } from "../fake-backend.ts";
import { roomPublisher } from "../cluster/publish.ts";

const [framework, redisUrl, node] = process.argv.slice(2) as [Framework, string, string];

const server = await createServer(fakeBackend, {
  framework,
  config: {
    port: 0,
    host: "127.0.0.1",
    websocket: {
      maxConnections: 20_000,
      pingInterval: 0,
      broker: createRedisBroker({ url: redisUrl }),
      rooms: { authorizeJoin: () => true },
    },
  },
});
await server.start();

const manager = server.websocket;
serveControl({
  port: server.port!,
  broadcast: roomPublisher(Number(node), (room, frame) => {
    manager.broadcastToRoom(room, JSON.stringify(frame));
  }),
  connectionCount: () => manager.getConnectionCount(),
  stop: () => server.stop(),
});
