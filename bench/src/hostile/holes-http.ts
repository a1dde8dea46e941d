/**
 * Loopback HTTP for the holes script (holes.ts): raw requests whose client keeps its side open
 * (only the server can free the socket), POST bodies streamed in chunks until the server
 * answers (200 MB without holding 200 MB), and SSE read event by event.
 */
import { request } from "node:http";
import { connect, type Socket } from "node:net";

/** What a raw request got: the status (0: none), when the server closed, and the socket. */
export interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Resolves with ms from the answer to the server's close (FIN or reset), when it comes. */
  serverClosed: Promise<number>;
  socket: Socket;
}

/**
 * Writes `lines` (request line first) to 127.0.0.1:`port` and resolves once a whole response
 * head and its `Content-Length` of body arrived, or with status 0 if none came in `timeout` ms
 * or the server closed first. The client never ends its side; destroy `socket` when done.
 */
export function rawRequest(port: number, lines: string[], timeout = 3000): Promise<RawAnswer> {
  const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  socket.on("error", () => {});
  let answeredAt = performance.now();
  const serverClosed = new Promise<number>((resolve) => {
    const done = () => resolve(performance.now() - answeredAt);
    socket.once("end", done);
    socket.once("close", done);
  });
  return new Promise<RawAnswer>((resolve) => {
    let buffer = Buffer.alloc(0);
    const settle = (status: number, contentType = "", body = "") => {
      clearTimeout(timer);
      answeredAt = performance.now();
      resolve({ status, contentType, body, serverClosed, socket });
    };
    const timer = setTimeout(() => settle(0), timeout);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf("\r\n\r\n");
      if (end === -1) return;
      const head = buffer.subarray(0, end).toString("latin1");
      const field = (name: string) =>
        new RegExp(`^${name}:\\s*(.*)$`, "im").exec(head)?.[1]?.trim() ?? "";
      const length = Number(field("content-length") || 0);
      if (buffer.length - end - 4 < length) return;
      const body = buffer.subarray(end + 4, end + 4 + length).toString("utf8");
      settle(Number(head.split(" ")[1]), field("content-type"), body);
    });
    socket.once("close", () => settle(0));
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  });
}

/** The request lines of a WebSocket handshake for `path`, plus `extra` header lines. */
export function handshakeLines(path: string, extra: string[] = []): string[] {
  return [
    `GET ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...extra,
  ];
}

/** What a {@link post} got back, and how long it took to come. */
export interface PostAnswer {
  status: number;
  contentType: string;
  body: string;
  ms: number;
  /** Body bytes written before the answer came. */
  sent: number;
}

/** A POST body: a whole buffer, or `total` bytes of `chunk` repeated (the last one cut). */
export type PostBody = Uint8Array | { chunk: Uint8Array; total: number };

/**
 * POSTs to 127.0.0.1:`port``path` with exactly these header lines (duplicates kept) and
 * `Content-Length`; the body is written chunk by chunk, waiting for drains, until the server
 * answers. Resolves with status 0 when nothing came within `timeout` ms.
 */
export function post(
  port: number,
  path: string,
  headers: [string, string][],
  body: PostBody,
  timeout = 30_000,
): Promise<PostAnswer> {
  const total = body instanceof Uint8Array ? body.byteLength : body.total;
  const lines = [["Host", `127.0.0.1:${port}`], ...headers, ["Content-Length", String(total)]];
  const started = performance.now();
  let sent = 0;
  return new Promise<PostAnswer>((resolve) => {
    let answered = false;
    const finish = (status: number, contentType = "", text = "") => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve({ status, contentType, body: text, ms: performance.now() - started, sent });
      req.destroy();
    };
    const timer = setTimeout(() => finish(0), timeout);
    const req = request({
      host: "127.0.0.1",
      port,
      path,
      method: "POST",
      agent: false, // a fresh connection each time: a 413 may close the one before
      headers: lines.flat() as unknown as Record<string, string>,
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (part: string) => (text += part));
      res.on("end", () => finish(res.statusCode ?? 0, res.headers["content-type"] ?? "", text));
      res.on("error", () => finish(res.statusCode ?? 0, res.headers["content-type"] ?? "", text));
    });
    req.on("error", () => finish(0));
    void (async () => {
      const chunk = body instanceof Uint8Array ? body : body.chunk;
      while (sent < total && !answered && !req.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.byteLength, total - sent));
        sent += part.byteLength;
        if (!req.write(part)) await new Promise((drained) => req.once("drain", drained));
      }
      if (!answered) req.end();
    })().catch(() => {});
  });
}

/** One server-sent event's `data`, parsed. */
export type SseEvent = Record<string, unknown>;

/**
 * POSTs `payload` to an SSE route and hands each event to `onEvent` until the stream ends;
 * resolves with every event.
 */
export function readSse(
  port: number,
  path: string,
  payload: unknown,
  onEvent: (event: SseEvent) => void,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  return new Promise((resolve) => {
    const req = request({
      host: "127.0.0.1",
      port,
      path,
      method: "POST",
      agent: false,
      headers: { "Content-Type": "application/json" },
    });
    req.on("error", () => resolve(events));
    req.on("response", (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        buffer += text;
        let end;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trim())
            .join("\n");
          if (!data) continue;
          try {
            const event = JSON.parse(data) as SseEvent;
            events.push(event);
            onEvent(event);
          } catch {
            events.push({ type: "unparseable", data });
          }
        }
      });
      res.on("end", () => resolve(events));
      res.on("error", () => resolve(events));
      res.on("close", () => resolve(events));
    });
    req.end(JSON.stringify(payload));
  });
}
