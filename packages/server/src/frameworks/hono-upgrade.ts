/**
 * WebSocket upgrades for the Hono binding, in place of `@hono/node-server`'s `upgradeWebSocket`:
 * every upgrade still travels the Hono app (its middleware, then the agentsocket middleware that
 * authorizes it), and nothing of the request outlives the handshake. node-server's helper keeps
 * each upgrade's Hono context — web `Request`, headers, URL, Node request, about 5 KB in a heap
 * snapshot of 2,000 idle connections — alive in the socket's listeners for the socket's life, and
 * builds a `MessageEvent` per frame. A handshake's garbage is kept small too (no URL parse of a
 * plain target, no `Headers` for an answer nothing touched, no async frames): on Node 24 the
 * young-generation pages that 10,000 handshakes' garbage touches stay resident after a full GC,
 * and they are most of the idle RSS per connection.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext, WSEvents } from "hono/ws";
import type { WebSocket, WebSocketServer } from "ws";
import { answerUpgrade, type Refusal } from "@agentsocket/core/adapter";
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
  serve(server: Server, fetch: HonoUpgradeFetch): void;
}

/** The Hono app's `fetch`. */
export type HonoUpgradeFetch = (request: Request, env: unknown) => Response | Promise<Response>;

/** What an upgrade's app sees as `c.env`: node-server's bindings, and the events once accepted. */
class UpgradeEnv {
  readonly outgoing = undefined;
  events: WSEvents<unknown> | undefined = undefined;
  response: AcceptedResponse | undefined = undefined;
  constructor(readonly incoming: IncomingMessage) {}

  /** Notes the socket's events, and answers the app with an empty `200` to upgrade on. */
  accept(events: WSEvents<unknown>): Response {
    this.events = events;
    this.response = acceptedResponse();
    return this.response;
  }
}

/** Upgrades through the Hono app onto `wss`. */
export function honoUpgrades(wss: WebSocketServer): HonoUpgrades {
  // Not async: the agentsocket middleware's events come synchronously, and each `await` (here and
  // in the middleware awaiting this) is promises and reaction jobs on every handshake.
  const upgradeWebSocket = ((createEvents: CreateEvents) =>
    (c: Context): Response | Promise<Response> => {
      // Not on the upgrade listener (a plain request): nothing to upgrade.
      if (!(c.env instanceof UpgradeEnv)) return new Response(null, { status: 500 });
      const env = c.env;
      const events = createEvents(c);
      return events instanceof Promise
        ? events.then((resolved) => env.accept(resolved))
        : env.accept(events);
    }) as unknown as UpgradeWebSocket<unknown, never>;

  const serve: HonoUpgrades["serve"] = (server, fetch) => {
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Other protocols (h2c) are answered by the binding's own listener.
      if (request.headers.upgrade?.toLowerCase() !== "websocket") return;
      socket.on("error", ignore);
      upgrade(request, socket, head, fetch);
    });
    server.on("close", () => wss.close());
  };

  // Not an async function: its frame, promise and `await` closures are garbage on every handshake.
  function upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    fetch: HonoUpgradeFetch,
  ): void {
    const url = requestUrl(request);
    if (url === undefined) return answer(socket, BAD_REQUEST);
    const env = new UpgradeEnv(request);
    let response: Response | Promise<Response>;
    try {
      response = fetch(upgradeRequest(url, request), env);
    } catch {
      return answer(socket, INTERNAL_ERROR);
    }
    if (!(response instanceof Promise)) return respond(request, socket, head, env, response);
    response.then(
      (resolved) => respond(request, socket, head, env, resolved),
      () => answer(socket, INTERNAL_ERROR),
    );
  }

  /** Upgrades on the app's answer, or writes it when the app did not accept the upgrade. */
  function respond(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    env: UpgradeEnv,
    response: Response,
  ): void {
    const { events } = env;
    if (socket.destroyed) return;
    // Refused, or answered by another route: the answer is written whole and the socket freed.
    if (events === undefined) return answer(socket, response);
    try {
      // The app's middleware may have set headers on the answer (or answered with another).
      const lines =
        response === env.response && !env.response.touched ? NONE : headerLines(response);
      if (lines.length === 0) return handleUpgrade(request, socket, head, events);
      const addHeaders = (headers: string[]) => headers.push(...lines);
      wss.once("headers", addHeaders);
      try {
        handleUpgrade(request, socket, head, events);
      } finally {
        wss.off("headers", addHeaders);
      }
    } catch {
      answer(socket, INTERNAL_ERROR);
    }
  }

  function handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    events: WSEvents<unknown>,
  ): void {
    wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off("error", ignore);
      open(ws, events);
    });
  }

  return { upgradeWebSocket, serve };
}

/** Writes `response` whole on `socket` and frees it; an answer that fails becomes a 500. */
function answer(socket: Duplex, response: Response | Refusal): void {
  if (socket.destroyed) return;
  answerUpgrade(socket, response).catch(() => {
    if (!socket.destroyed) void answerUpgrade(socket, INTERNAL_ERROR);
  });
}

/** No header lines: an accepted upgrade's answer that nothing touched. */
const NONE: readonly string[] = [];

/** Keeps a reset during the handshake from crashing the process (Node removed its own listener). */
const ignore = () => {};

/** The app's answer's header lines that the `101` carries (`name: value`). */
function headerLines(response: Response): readonly string[] {
  const lines: string[] = [];
  response.headers.forEach((value, name) => {
    if (!SKIPPED.has(name)) lines.push(`${name}: ${value}`);
  });
  return lines;
}

/**
 * The middleware's answer to an accepted upgrade, noting whether anything read its headers: an
 * untouched one has none for the `101`, and its `Headers` (undici's, with their sorted list) are
 * never made. Made under the current global `Response` (node-server swaps in its own).
 */
interface AcceptedResponse extends Response {
  readonly touched: boolean;
}

let acceptedBase: typeof Response | undefined;
let Accepted: new () => AcceptedResponse;

function acceptedResponse(): AcceptedResponse {
  if (acceptedBase !== globalThis.Response) {
    acceptedBase = globalThis.Response;
    Accepted = class extends acceptedBase {
      touched = false;
      constructor() {
        super(null);
      }
      override get headers(): Headers {
        this.touched = true;
        return super.headers;
      }
    };
  }
  return new Accepted();
}

const BAD_REQUEST = { code: "INVALID_HANDSHAKE", message: "Bad request URL or Host" };
const INTERNAL_ERROR = { code: "INTERNAL_ERROR", message: "Internal error" };

/** A Host (lowercase name or address, a port of 4–5 digits) that the WHATWG parser leaves as is. */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;
/** An origin-form target that the parser leaves as is: no escapes, quotes, dot segments or `//`. */
const PLAIN_TARGET = /^\/(?!\/)[!#$&(-;=?-[\]_a-z~]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

/** The request's absolute URL, as `new URL(target, base).href` has it; undefined when invalid. */
function requestUrl(request: IncomingMessage): string | undefined {
  const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
  const host = request.headers.host ?? "localhost";
  const target = request.url ?? "/";
  const base = `${encrypted ? "https" : "http"}://${host}`;
  // node-server's shortcut for plain requests: the parser's URL and its string are garbage.
  if (PLAIN_HOST.test(host) && PLAIN_TARGET.test(target) && !DOT_SEGMENT.test(target))
    return base + target;
  try {
    return new URL(target, base).href;
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
