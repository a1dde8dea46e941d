/**
 * Server under test: `@agentsocket/socket.io` on a plain Socket.IO 4 server — the same HTTP
 * server, engine options, JWT and fake backend as the plain Socket.IO server, so the difference
 * is the binding (core's agent service and streaming channel, seed 002's `ai:*` events).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { attachAgent } from "@agentsocket/socket.io";
import { JWT_SECRET, serveControl } from "../control.ts";
import { fakeBackend } from "../fake-backend.ts";

const http = createServer((_req, res) => res.writeHead(404).end());
const io = new Server(http, { transports: ["websocket"], serveClient: false });
attachAgent(io, fakeBackend, {
  namespace: "/",
  auth: { strategy: "bearer", jwt: { secret: JWT_SECRET } },
  agent: { maxConcurrentStreams: 64 },
});

let lastData: string | undefined;
let lastPayload: unknown;

await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));

serveControl({
  port: (http.address() as AddressInfo).port,
  broadcast(data) {
    if (data !== lastData) [lastData, lastPayload] = [data, JSON.parse(data) as unknown];
    io.emit("broadcast", lastPayload);
    return io.engine.clientsCount;
  },
  connectionCount: () => io.engine.clientsCount,
  stop: async () => {
    io.disconnectSockets(true);
    await io.close();
  },
});
