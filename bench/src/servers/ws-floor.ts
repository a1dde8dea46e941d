/**
 * Server under test: the floor. A minimal hand-written `ws` server speaking the same wire
 * protocol with the same fake backend — what a competent engineer writes by hand, no extras:
 * JWT checked with `jose` before the upgrade (401 otherwise), a `connected` frame, and for each
 * `stream` request one `chunk` frame per token, then `stream_complete`; `cancel` and disconnects
 * abort. No coalescing, no backpressure, no limits beyond `maxPayload`.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { jwtVerify } from "jose";
import { WebSocketServer, type WebSocket } from "ws";
import { JWT_SECRET, serveControl } from "../control.ts";
import { streamWorkload } from "../fake-backend.ts";

const key = new TextEncoder().encode(JWT_SECRET);
const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, clientTracking: true });
const http = createServer((_req, res) => res.writeHead(404).end());

function tokenOf(url: string | undefined, authorization: string | undefined): string | undefined {
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7);
  return new URL(url ?? "/", "http://localhost").searchParams.get("token") ?? undefined;
}

http.on("upgrade", (request, socket, head) => {
  socket.on("error", () => socket.destroy());
  const token = tokenOf(request.url, request.headers.authorization);
  if (!request.url?.startsWith("/ws") || token === undefined) return refuse(socket);
  jwtVerify(token, key, { algorithms: ["HS256"] }).then(
    ({ payload }) =>
      wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, String(payload.sub))),
    () => refuse(socket),
  );
});

function refuse(socket: { end(data: string): void }): void {
  socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
}

interface Frame {
  type?: string;
  requestId?: string;
  payload?: { prompt?: unknown; requestId?: unknown };
}

function onConnection(ws: WebSocket, _userId: string): void {
  const requests = new Map<string, AbortController>();
  ws.send(
    JSON.stringify({
      type: "connected",
      connectionId: randomUUID(),
      timestamp: Date.now(),
      protocol: 1,
    }),
  );
  ws.on("message", (data) => {
    let frame: Frame;
    try {
      frame = JSON.parse(String(data)) as Frame;
    } catch {
      return ws.send(JSON.stringify({ type: "error", code: "INVALID_MESSAGE", error: "Bad JSON" }));
    }
    const requestId = frame.requestId ?? randomUUID();
    if (frame.type === "ping")
      return ws.send(JSON.stringify({ type: "pong", timestamp: Date.now() }));
    if (frame.type === "cancel") return requests.get(String(frame.payload?.requestId))?.abort();
    if (frame.type === "stream" && typeof frame.payload?.prompt === "string") {
      return void stream(ws, requests, requestId, frame.payload.prompt);
    }
    ws.send(
      JSON.stringify({ type: "error", requestId, code: "INVALID_MESSAGE", error: "Unknown" }),
    );
  });
  ws.on("close", () => {
    for (const controller of requests.values()) controller.abort();
  });
}

async function stream(
  ws: WebSocket,
  requests: Map<string, AbortController>,
  requestId: string,
  prompt: string,
): Promise<void> {
  const controller = new AbortController();
  requests.set(requestId, controller);
  ws.send(JSON.stringify({ type: "stream_start", requestId }));
  let seq = 0;
  try {
    for await (const chunk of streamWorkload(prompt, controller.signal)) {
      if (ws.readyState !== ws.OPEN) return;
      const { content } = chunk as { content: string };
      ws.send(JSON.stringify({ type: "chunk", requestId, seq: ++seq, content }));
    }
    const status = controller.signal.aborted ? "cancelled" : "completed";
    ws.send(JSON.stringify({ type: "stream_complete", requestId, status, finishReason: "stop" }));
  } catch {
    ws.send(JSON.stringify({ type: "error", requestId, code: "PROVIDER_ERROR", error: "Failed" }));
  } finally {
    requests.delete(requestId);
  }
}

await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));

serveControl({
  port: (http.address() as AddressInfo).port,
  broadcast(data) {
    for (const client of wss.clients) client.send(data);
    return wss.clients.size;
  },
  connectionCount: () => wss.clients.size,
  stop: async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => http.close(resolve));
  },
});
