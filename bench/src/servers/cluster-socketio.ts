/**
 * Cluster server under test: Socket.IO 4 (websocket transport only), one of three instances on
 * `@socket.io/redis-adapter` 8.3 with node-redis clients to the Redis at argv[2]. Clients join
 * rooms with a `join` event (acknowledged); the orchestrator's broadcasts become
 * `io.to(room).emit`.
 */
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";
import { roomPublisher } from "../cluster/publish.ts";
import { serveSocketIoControl } from "./socketio-control.ts";

const [redisUrl, node] = process.argv.slice(2) as [string, string];

const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer((_req, res) => res.writeHead(404).end());
const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  adapter: createAdapter(pub, sub),
});
io.on("connection", (socket) => {
  socket.on("join", (room: string, ack: () => void) => {
    void Promise.resolve(socket.join(room)).then(() => ack());
  });
});

await serveSocketIoControl(http, io, {
  broadcast: roomPublisher(Number(node), (room, frame) => io.to(room).emit("notice", frame)),
  stop: async () => {
    await Promise.all([pub.close(), sub.close()]);
  },
});
