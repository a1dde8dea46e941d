/**
 * Server under test: Socket.IO 4, websocket transport only, the same workload expressed as
 * events. The JWT is verified in `io.use` from `socket.handshake.auth.token`; `stream`
 * `{requestId, prompt}` answers one `chunk` event per token then `stream_complete`; `cancel`
 * and disconnects abort; broadcasts go through `io.emit`.
 */
import { createServer } from "node:http";
import { jwtVerify } from "jose";
import { Server, type Socket } from "socket.io";
import { JWT_SECRET } from "../control.ts";
import { streamWorkload } from "../fake-backend.ts";
import { serveSocketIoControl } from "./socketio-control.ts";

const key = new TextEncoder().encode(JWT_SECRET);
const http = createServer((_req, res) => res.writeHead(404).end());
const io = new Server(http, { transports: ["websocket"], serveClient: false });

io.use((socket, next) => {
  const token: unknown = socket.handshake.auth.token;
  if (typeof token !== "string") return next(new Error("Unauthorized"));
  jwtVerify(token, key, { algorithms: ["HS256"] }).then(
    ({ payload }) => {
      socket.data.userId = payload.sub;
      next();
    },
    () => next(new Error("Unauthorized")),
  );
});

io.on("connection", (socket) => {
  const requests = new Map<string, AbortController>();
  socket.on("stream", (request: { requestId: string; prompt: string }) => {
    void stream(socket, requests, request.requestId, request.prompt);
  });
  socket.on("cancel", (request: { requestId: string }) => requests.get(request.requestId)?.abort());
  socket.on("disconnect", () => {
    for (const controller of requests.values()) controller.abort();
  });
});

async function stream(
  socket: Socket,
  requests: Map<string, AbortController>,
  requestId: string,
  prompt: string,
): Promise<void> {
  const controller = new AbortController();
  requests.set(requestId, controller);
  socket.emit("stream_start", { requestId });
  let seq = 0;
  try {
    for await (const chunk of streamWorkload(prompt, controller.signal)) {
      if (socket.disconnected) return;
      const { content } = chunk as { content: string };
      socket.emit("chunk", { requestId, seq: ++seq, content });
    }
    const status = controller.signal.aborted ? "cancelled" : "completed";
    socket.emit("stream_complete", { requestId, status, finishReason: "stop" });
  } catch {
    socket.emit("error_frame", { requestId, code: "PROVIDER_ERROR", error: "Failed" });
  } finally {
    requests.delete(requestId);
  }
}

await serveSocketIoControl(http, io);
