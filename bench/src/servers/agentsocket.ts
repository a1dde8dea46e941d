/**
 * Server under test: agentsocket's `createServer` on the framework named by argv[2]
 * (hono, express or fastify), serving the fake backend at `/ws` with JWT bearer auth. With a
 * Redis URL in argv[3] (the scaling check), every stream is resumable, logged in that Redis.
 */
import { createRedisStreamStore } from "@agentsocket/redis";
import { createServer, type Framework } from "@agentsocket/server";
import { JWT_SECRET, serveAgentServerControl } from "../control.ts";
import { fakeBackend } from "../fake-backend.ts";

const [framework, redisUrl] = process.argv.slice(2) as [Framework, string | undefined];
const store = redisUrl ? createRedisStreamStore({ url: redisUrl }) : undefined;
await store?.ready();

const server = await createServer(fakeBackend, {
  framework,
  config: {
    port: 0,
    host: "127.0.0.1",
    websocket: {
      maxConnections: 20_000,
      pingInterval: 0,
      auth: { strategy: "bearer", jwt: { secret: JWT_SECRET } },
    },
    agent: { maxConcurrentStreams: 64, ...(store ? { resume: { store } } : {}) },
  },
});
await server.start();

serveAgentServerControl(server);
