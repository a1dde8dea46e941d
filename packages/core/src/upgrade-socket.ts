/**
 * Answering an upgrade request on the raw socket a Node-style server hands to its `upgrade`
 * listeners: the whole HTTP response, body included, then the socket is destroyed. Node no longer
 * tracks such a socket as an HTTP connection, so one merely ended would stay half-open for as long
 * as the client likes, and `server.close()` would wait for it.
 */
import { rejectionResponse, type Refusal } from "./http-response.ts";
import { unrefTimer } from "./timers.ts";

/** The part of a Node `Duplex` (an `upgrade` listener's socket) that {@link answerUpgrade} uses. */
export interface UpgradeSocket {
  readonly destroyed: boolean;
  end(chunk: Uint8Array, callback?: () => void): unknown;
  destroy(): unknown;
  once(event: "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** Headers about the connection, which this answer decides itself. */
const HOP_BY_HOP = new Set([
  "connection",
  "content-length",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
]);

/** How long a peer that does not read may hold a refused socket before it is destroyed anyway. */
const FLUSH_TIMEOUT_MS = 1000;

const encoder = new TextEncoder();

/**
 * Writes `answer` — a web `Response`, or a refusal answered as `{ error, code }` with its status —
 * on an upgrade request's raw socket with `Connection: close`, and destroys the socket once the
 * answer is flushed (within 1 s even if the peer does not read). Resolves when the socket is closed.
 * @example
 * server.on("upgrade", async (request, socket) => {
 *   const decision = await manager.authorizeUpgrade({ url: request.url, headers: request.headers });
 *   if (!decision.ok) return answerUpgrade(socket, decision.error);
 *   // …
 * });
 */
export async function answerUpgrade(
  socket: UpgradeSocket,
  answer: Response | Refusal,
): Promise<void> {
  // Duck-typed: @hono/node-server replaces the global Response with a class of its own.
  const response = isResponse(answer) ? answer : rejectionResponse(answer);
  // A reset while the answer is written must not become an uncaught 'error'.
  socket.on("error", () => {});
  const body = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
  if (socket.destroyed) return;
  const closed = new Promise<void>((resolve) => socket.once("close", resolve));
  const lines = [
    `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? ""}`,
    "Connection: close",
    `Content-Length: ${body.byteLength}`,
  ];
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) lines.push(`${name}: ${value}`);
  });
  const head = encoder.encode(`${lines.join("\r\n")}\r\n\r\n`);
  const bytes = new Uint8Array(head.byteLength + body.byteLength);
  bytes.set(head);
  bytes.set(body, head.byteLength);
  const timer = setTimeout(() => socket.destroy(), FLUSH_TIMEOUT_MS);
  unrefTimer(timer);
  socket.end(bytes, () => socket.destroy());
  await closed;
  clearTimeout(timer);
}

function isResponse(answer: Response | Refusal): answer is Response {
  return typeof (answer as Response).arrayBuffer === "function";
}
