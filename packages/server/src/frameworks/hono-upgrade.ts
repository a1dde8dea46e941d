/**
 * WebSocket upgrades for the Hono binding, in place of `@hono/node-server`'s `upgradeWebSocket`:
 * every upgrade still travels the Hono app (its middleware, then the agentsocket middleware that
 * authorizes it), and nothing of the request outlives the handshake. node-server's helper keeps
 * each upgrade's Hono context — web `Request`, headers, URL, Node request, about 5 KB in a heap
 * snapshot of 2,000 idle connections — alive in the socket's listeners for the socket's life, and
 * builds a `MessageEvent` per frame.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Context, MiddlewareHandler } from "hono";
import type { UpgradeWebSocket, WSContext, WSEvents } from "hono/ws";
import type { WebSocket, WebSocketServer } from "ws";
import { answerUpgrade } from "@agentsocket/core/adapter";
import { upgradeRequest } from "./hono-request.ts";

/** What the agentsocket middleware's `upgradeWebSocket` hands over: the events of one socket. */
type CreateEvents = (c: Context) => WSEvents<unknown> | Promise<WSEvents<unknown>>;

/** Headers of the app's answer that the `101` must not repeat (the upgrade decides them). */
const SKIPPED = new Set([
  "connection",
  "content-length",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "sec-websocket-accept",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

/** The upgrade half of the binding: the middleware's `upgradeWebSocket`, and `serve()`. */
export interface HonoUpgrades {
  /** Given to `createWebSocketMiddleware`: remembers the events for the upgrade listener. */
  upgradeWebSocket: UpgradeWebSocket<unknown, never>;
  /** Serves `Upgrade: websocket` requests of `server` through `fetch` (the Hono app). */
  serve(server: Server, fetch: (request: Request, env: unknown) => Promise<Response>): void;
}

/** Upgrades through the Hono app onto `wss`. */
export function honoUpgrades(wss: WebSocketServer): HonoUpgrades {
  // Set by the middleware while the app runs, taken by the listener right after: never kept.
  const accepted = new Map<IncomingMessage, WSEvents<unknown>>();

  const upgradeWebSocket = ((createEvents: CreateEvents): MiddlewareHandler =>
    async (c) => {
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      const env = c.env as { outgoing?: unknown } | undefined;
      // Not on the upgrade listener (a plain request): nothing to upgrade.
      if (incoming === undefined || env?.outgoing !== undefined)
        return new Response(null, { status: 500 });
      accepted.set(incoming, await createEvents(c));
      return new Response(null);
    }) as unknown as UpgradeWebSocket<unknown, never>;

  const serve: HonoUpgrades["serve"] = (server, fetch) => {
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Other protocols (h2c) are answered by the binding's own listener.
      if (request.headers.upgrade?.toLowerCase() !== "websocket") return;
      const ignore = () => {};
      socket.on("error", ignore);
      void upgrade(request, socket, head, fetch, ignore).catch(() => {
        accepted.delete(request);
        if (!socket.destroyed) void answerUpgrade(socket, INTERNAL_ERROR);
      });
    });
    server.on("close", () => wss.close());
  };

  async function upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    fetch: (request: Request, env: unknown) => Promise<Response>,
    ignore: () => void,
  ): Promise<void> {
    const url = requestUrl(request);
    if (url === undefined) return answerUpgrade(socket, BAD_REQUEST);
    const response = await fetch(upgradeRequest(url, request), {
      incoming: request,
      outgoing: undefined,
    });
    const events = accepted.get(request);
    accepted.delete(request);
    if (socket.destroyed) return;
    // Refused, or answered by another route: the answer is written whole and the socket freed.
    if (events === undefined) return answerUpgrade(socket, response);
    const addHeaders = (headers: string[]) =>
      response.headers.forEach((value, name) => {
        if (!SKIPPED.has(name)) headers.push(`${name}: ${value}`);
      });
    wss.once("headers", addHeaders);
    try {
      wss.handleUpgrade(request, socket, head, (ws) => {
        socket.off("error", ignore);
        open(ws, events);
      });
    } finally {
      wss.off("headers", addHeaders);
    }
  }

  return { upgradeWebSocket, serve };
}

const BAD_REQUEST = { code: "INVALID_HANDSHAKE", message: "Bad request URL or Host" };
const INTERNAL_ERROR = { code: "INTERNAL_ERROR", message: "Internal error" };

function requestUrl(request: IncomingMessage): string | undefined {
  const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
  const base = `${encrypted ? "https" : "http"}://${request.headers.host ?? "localhost"}`;
  try {
    return new URL(request.url ?? "/", base).href;
  } catch {
    return undefined;
  }
}

/** The socket as Hono's events see it (`WSContext`'s shape), over the `ws` socket. */
class NodeWSContext {
  readonly binaryType = "arraybuffer";
  constructor(readonly raw: WebSocket) {}
  get readyState(): number {
    return this.raw.readyState;
  }
  get protocol(): string {
    return this.raw.protocol;
  }
  send(data: string | ArrayBuffer | Uint8Array, options?: { compress?: boolean }): void {
    this.raw.send(data, { compress: options?.compress });
  }
  close(code?: number, reason?: string): void {
    this.raw.close(code, reason);
  }
}

/**
 * One `open` event for every socket: only the agentsocket middleware's events see it, and they
 * ignore it (Node's `Event` constructor is work and garbage on every handshake otherwise).
 */
const OPEN = new Event("open");

/** Hands the open socket to `events`, as plain `{ data }` / `{ code, reason }` / `{ error }` events. */
function open(ws: WebSocket, events: WSEvents<unknown>): void {
  const ctx = new NodeWSContext(ws) as unknown as WSContext<unknown>;
  events.onOpen?.(OPEN, ctx);
  // Called as methods: the agentsocket middleware's events are an object of them.
  ws.on("message", (data, isBinary) => {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    const payload = isBinary
      ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
      : bytes.toString();
    events.onMessage?.({ data: payload } as MessageEvent, ctx);
  });
  ws.on("close", (code, reason) =>
    events.onClose?.({ code, reason: reason.toString() } as CloseEvent, ctx),
  );
  ws.on("error", (error) => events.onError?.({ error } as unknown as Event, ctx));
}
