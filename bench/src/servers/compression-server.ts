/**
 * Server under test for the compression bench: agentsocket's `createServer` on the framework
 * named by argv[2], with `websocket.compression` on when argv[3] is "on", serving the fake
 * backend at `/ws` without auth.
 */
import { createServer, type Framework } from "@agentsocket/server";
import { serveAgentServerControl } from "../control.ts";
import { fakeBackend } from "../fake-backend.ts";

const framework = process.argv[2] as Framework;
const compression = process.argv[3] === "on";

const server = await createServer(fakeBackend, {
  framework,
  config: {
    port: 0,
    host: "127.0.0.1",
    websocket: { maxConnections: 20_000, pingInterval: 0, compression },
    agent: { maxConcurrentStreams: 64 },
  },
});
await server.start();

serveAgentServerControl(server);
