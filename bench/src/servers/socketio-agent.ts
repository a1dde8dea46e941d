/**
 * Server under test: `@agentsocket/socket.io` on a plain Socket.IO 4 server — the same HTTP
 * server, engine options, JWT and fake backend as the plain Socket.IO server, so the difference
 * is the binding (core's agent service and streaming channel, seed 002's `ai:*` events).
 */
import { createServer } from "node:http";
import { Server } from "socket.io";
import { attachAgent } from "@agentsocket/socket.io";
import { JWT_SECRET } from "../control.ts";
import { fakeBackend } from "../fake-backend.ts";
import { serveSocketIoControl } from "./socketio-control.ts";

const http = createServer((_req, res) => res.writeHead(404).end());
const io = new Server(http, { transports: ["websocket"], serveClient: false });
attachAgent(io, fakeBackend, {
  namespace: "/",
  auth: { strategy: "bearer", jwt: { secret: JWT_SECRET } },
  agent: { maxConcurrentStreams: 64 },
});

await serveSocketIoControl(http, io);
