/**
 * @agentsocket/hono — serves a {@link WebSocketConnectionManager} from a Hono app through the
 * runtime's own `upgradeWebSocket` (Node via `@hono/node-server`, Bun, Deno, Cloudflare Workers).
 * The app's routes keep working, and its middleware registered earlier runs before the upgrade.
 */
import type { MiddlewareHandler } from "hono";
import type { GetConnInfo } from "hono/conninfo";
import type { UpgradeWebSocket, WSContext, WSEvents, WSMessageReceive } from "hono/ws";
import type { WebSocketConnectionManager } from "@agentsocket/core";
import {
  answerUpgrade,
  rejectionResponse,
  terminateNodeWebSocket,
  writePreparedFrame,
  writesPreparedFrames,
  writeChunkFrame,
  writeTextFrame,
  type ChunkPrefix,
  type PreparedFrame,
  type UpgradeSocket,
  type ConnectionEvents,
  type SocketLike,
  type UpgradeAccepted,
} from "@agentsocket/core/adapter";

/** Options of {@link createWebSocketMiddleware}. */
export interface WebSocketMiddlewareOptions {
  /**
   * The runtime's `upgradeWebSocket`: from `@hono/node-server` on Node, or from `hono/bun`,
   * `hono/deno`, `hono/cloudflare-workers`.
   */
  upgradeWebSocket: UpgradeWebSocket<unknown, never>;
  /**
   * The runtime's `getConnInfo` (e.g. from `@hono/node-server/conninfo`), to record the peer's
   * address in `connection.metadata.remoteAddress` and show it to auth.
   * @default undefined (no remote address)
   */
  getConnInfo?: GetConnInfo;
}

/** `@hono/node-server`'s bindings (`c.env`): on its upgrade path there is no `outgoing`. */
interface NodeUpgradeEnv {
  incoming?: { socket?: UpgradeSocket; rawHeaders?: string[] };
  outgoing?: unknown;
}

/** What the runtimes' raw sockets (`ws`, Bun's `ServerWebSocket`, WHATWG `WebSocket`) may offer. */
interface RawSocket {
  send?(data: unknown): void;
  readyState?: unknown;
  bufferedAmount?: unknown;
  binaryType?: unknown;
  getBufferedAmount?(): number;
  ping?(): void;
  terminate?(): void;
  pause?(): void;
  resume?(): void;
  on?(event: "pong", listener: () => void): unknown;
}

/**
 * A Hono middleware serving the manager's WebSocket endpoints. Other requests pass through.
 *
 * Handshakes are authorized before the upgrade; a rejected one is answered with its HTTP status
 * (400, 401, 403, 503) and a JSON body `{ error, code }`.
 *
 * On `@hono/node-server` the middleware writes its refusals on the socket itself (the node-server
 * would drop the body and leave the socket half-open). Other handlers' answers there still lose
 * their body, and `Upgrade: h2c` goes unanswered: `@agentsocket/server`'s Hono binding fixes both.
 *
 * @param manager the connection manager whose handlers serve the connections.
 * @param options the runtime's `upgradeWebSocket` (required) and `getConnInfo`.
 * @throws {TypeError} when `upgradeWebSocket` or `getConnInfo` is not a function.
 * @example
 * import { createAdaptorServer, serve, upgradeWebSocket } from "@hono/node-server";
 * import { WebSocketServer } from "ws";
 *
 * const app = new Hono();
 * app.use(createWebSocketMiddleware(manager, { upgradeWebSocket }));
 * const wss = new WebSocketServer({ noServer: true, maxPayload: manager.maxFrameSize() });
 * serve({ fetch: app.fetch, websocket: { server: wss } });
 */
export function createWebSocketMiddleware(
  manager: WebSocketConnectionManager,
  options: WebSocketMiddlewareOptions,
): MiddlewareHandler {
  const { upgradeWebSocket, getConnInfo } = options ?? {};
  if (typeof upgradeWebSocket !== "function") {
    throw new TypeError(
      'The "upgradeWebSocket" option must be the runtime\'s upgradeWebSocket (e.g. from "@hono/node-server")',
    );
  }
  if (getConnInfo !== undefined && typeof getConnInfo !== "function") {
    throw new TypeError('The "getConnInfo" option must be a function');
  }

  return async (c, next) => {
    // Any Upgrade on the manager's paths is core's to decide: `Upgrade: h2c`, or `websocket` with
    // `Connection: keep-alive` (which node-server hands to the app as a plain request), get 400.
    if (c.req.header("upgrade") === undefined || !manager.handlesPath(c.req.path)) return next();
    const env = c.env as NodeUpgradeEnv | undefined;
    // On Node (`@hono/node-server`) the incoming message's raw header lines show duplicates
    // that its parsed headers drop; core refuses conflicting credentials with them.
    const rawHeaders = env?.incoming?.rawHeaders;
    const decision = await manager.authorizeUpgrade({
      url: c.req.url,
      headers: c.req.raw.headers,
      rawHeaders: Array.isArray(rawHeaders) ? rawHeaders : undefined,
      remoteAddress: getConnInfo?.(c).remote.address,
    });
    if (!decision.ok) {
      const refusal = rejectionResponse(decision.error);
      // @hono/node-server's upgrade listener (it calls the app without `outgoing`) would send this
      // with an empty body and leave the socket half-open: write it whole and free the socket.
      if (env?.incoming?.socket && env.outgoing === undefined)
        await answerUpgrade(env.incoming.socket, refusal.clone());
      return refusal;
    }
    return upgradeWebSocket(() => createEvents(manager, decision))(c, next);
  };
}

function createEvents(
  manager: WebSocketConnectionManager,
  decision: UpgradeAccepted,
): WSEvents<unknown> {
  return new SocketEvents(manager, decision);
}

/**
 * One socket's events, as methods (the runtimes call them on this object): one object kept for
 * the socket's life instead of a closure per event.
 */
class SocketEvents implements WSEvents<unknown> {
  #events: ConnectionEvents | undefined;
  #queue: Promise<void> | undefined;
  #decision: UpgradeAccepted | undefined;

  constructor(
    private readonly manager: WebSocketConnectionManager,
    decision: UpgradeAccepted,
  ) {
    this.#decision = decision;
  }

  // Hono's Cloudflare helper never fires onOpen: there the first event accepts the socket.
  #open(ws: WSContext<unknown>): ConnectionEvents {
    if (this.#events === undefined) {
      this.#events = accept(this.manager, ws, this.#decision!);
      this.#decision = undefined;
    }
    return this.#events;
  }

  onOpen(_event: Event, ws: WSContext<unknown>): void {
    this.#open(ws);
  }

  onMessage({ data }: MessageEvent<WSMessageReceive>, ws: WSContext<unknown>): void {
    const target = this.#open(ws);
    if (this.#queue === undefined && !(data instanceof Blob)) return forward(target, data);
    // A Blob is read asynchronously; the frames behind it wait their turn so order holds.
    const turn: Promise<void> = (this.#queue ?? Promise.resolve())
      .then(async () => forward(target, data instanceof Blob ? await data.arrayBuffer() : data))
      .catch((error: unknown) => target.error(error))
      .finally(() => {
        if (this.#queue === turn) this.#queue = undefined;
      });
    this.#queue = turn;
  }

  onClose({ code, reason }: CloseEvent): void {
    this.#events?.close(code, reason);
  }

  // `ws` errors (such as maxPayload's WS_ERR_UNSUPPORTED_MESSAGE_LENGTH) ride on `event.error`.
  // Bound: Hono's Bun helper calls it detached from this object.
  readonly onError = (event: Event): void => {
    this.#events?.error((event as ErrorEvent).error ?? event);
  };
}

function forward(events: ConnectionEvents, data: Exclude<WSMessageReceive, Blob>): void {
  if (typeof data === "string") events.message(data, false);
  else events.message(data instanceof ArrayBuffer ? data : new Uint8Array(data), true);
}

/** Builds the connection's {@link SocketLike} once and registers it with the manager. */
function accept(
  manager: WebSocketConnectionManager,
  ws: WSContext<unknown>,
  decision: UpgradeAccepted,
): ConnectionEvents {
  const raw = (ws.raw ?? {}) as RawSocket;
  if (raw.binaryType === "blob") raw.binaryType = "arraybuffer";
  const socket = new RuntimeSocket(ws, raw);
  const events = manager.accept(socket, decision);
  raw.on?.("pong", () => events.pong());
  return events;
}

/**
 * The connection's {@link SocketLike} over the runtime's socket. A class, not an object literal
 * with getters: those give every connection its own hidden class and property dictionary.
 */
class RuntimeSocket implements SocketLike {
  // Whether frames can be written to `ws`'s TCP socket as they are (Node, no permessage-deflate).
  readonly #framed: boolean;

  constructor(
    private readonly ws: WSContext<unknown>,
    private readonly raw: RawSocket,
  ) {
    this.#framed = writesPreparedFrames(raw);
    // Protocol pings only where pongs can be heard (`ws`); elsewhere (Bun) the heartbeat would
    // expire live peers, so core falls back to JSON ping frames.
    if (!raw.ping || !raw.on) this.ping = undefined;
    if (!raw.terminate) this.terminate = undefined;
    // Fan-out frames pre-encoded: only `ws` on Node, without permessage-deflate.
    if (!this.#framed) {
      this.sendFrame = undefined;
      this.sendChunk = undefined;
    }
    // Lets core hold back a connection past `maxFramesPerTurn` (`ws` on Node has both).
    if (!raw.pause || !raw.resume) {
      this.pause = undefined;
      this.resume = undefined;
    }
  }

  send(data: Parameters<SocketLike["send"]>[0]): void {
    // Straight to the raw socket when it has send(): the WSContext wrapper costs an object per frame.
    if (this.#framed && typeof data === "string") writeTextFrame(this.raw, data);
    else if (this.raw.send) this.raw.send(data);
    else this.ws.send(data as Parameters<WSContext["send"]>[0]);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  // Bun's WSContext snapshots readyState when it is made; the raw socket's is live.
  get readyState(): number {
    const state = this.raw.readyState;
    return typeof state === "number" ? state : this.ws.readyState;
  }

  get bufferedAmount(): number {
    const { raw } = this;
    if (raw.getBufferedAmount) return raw.getBufferedAmount();
    return typeof raw.bufferedAmount === "number" ? raw.bufferedAmount : 0;
  }

  sendFrame?(frame: PreparedFrame): void {
    writePreparedFrame(this.raw, frame);
  }

  sendChunk?(prefix: ChunkPrefix, seq: number, content: string): number {
    return writeChunkFrame(this.raw, prefix, seq, content);
  }

  ping?(): void {
    this.raw.ping!();
  }

  terminate?(): void {
    terminateNodeWebSocket(this.raw);
  }

  pause?(): void {
    this.raw.pause!();
  }

  resume?(): void {
    this.raw.resume!();
  }
}
