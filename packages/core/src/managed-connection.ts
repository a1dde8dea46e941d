/**
 * One registered connection and everything that happens to it after the upgrade: frames in,
 * size limit, system frames, pings, closing, and reporting failures to the path's `onError`.
 */
import type { ConnectionEvents } from "./adapter-types.ts";
import { invokeSafely } from "./callbacks.ts";
import type { ResolvedConfig } from "./config.ts";
import { CloseCode, ERRORS, WebSocketConnectionError, WebSocketError } from "./errors.ts";
import { exceedsBytes, normalizeIncoming } from "./frame-data.ts";
import type { HeartbeatTarget } from "./heartbeat.ts";
import { connectionClosed, errorReported, heartbeatAnswered } from "./instrumentation/hub.ts";
import { unrefTimer } from "./timers.ts";
import { parseSystemFrame, pingFrame, pongFrame } from "./system-frames.ts";
import { createMessageRate, refuseFrame, type MessageRate } from "./limits/message-rate.ts";
import { FrameBudget } from "./frame-budget.ts";
import {
  OPEN,
  type SocketLike,
  type WebSocketConnection,
  type WebSocketData,
  type WebSocketHandler,
} from "./types.ts";

type Settings = Pick<
  ResolvedConfig,
  | "maxMessageSize"
  | "pongTimeout"
  | "systemFrames"
  | "closeTimeout"
  | "rateLimit"
  | "maxFramesPerTurn"
  | "maxBufferedBytes"
>;

/** Unsent bytes past which a connection is held back: above a stream's `bufferSize` (64 KiB). */
const HOLD_READING_ABOVE = 256 * 1024;
/** Frames after the server's close between pauses of reading; 16 times that terminate it. */
const FRAMES_AFTER_CLOSE = 64;

export class ManagedConnection implements HeartbeatTarget {
  pingSentAt = 0;
  #closed = false;
  // Set once core has started closing: frames still in flight are not handed to the handler.
  #closing = false;
  #waiters: (() => void)[] | undefined;
  readonly #rate: MessageRate | undefined;

  constructor(
    readonly connection: WebSocketConnection,
    readonly handler: WebSocketHandler | undefined,
    private readonly settings: Settings,
    /** Called once, when the connection has closed for any reason. */
    private readonly onClosed: (managed: ManagedConnection, code: number, reason: string) => void,
  ) {
    this.#rate = createMessageRate(settings.rateLimit);
  }

  /** The frame budget of this connection's path. @internal */
  get maxFramesPerTurn(): number {
    return this.settings.maxFramesPerTurn;
  }

  /** Unsent bytes past which this connection's frames are held back. @internal */
  get holdReadingAbove(): number {
    return Math.min(HOLD_READING_ABOVE, this.settings.maxBufferedBytes / 2);
  }

  get closed(): boolean {
    return this.#closed;
  }

  lastActivity(): number {
    return this.connection.lastActivity;
  }

  /** The events an adapter forwards; `count` hears each frame first (instrumentation). */
  events(count?: (data: WebSocketData) => void): ConnectionEvents {
    return new ManagedEvents(this, count);
  }

  /** A pong arrived. @internal */
  pong(): void {
    heartbeatAnswered(this);
    this.pingSentAt = 0;
    this.connection.lastActivity = Date.now();
  }

  /** Starts the closing handshake; resolves once closed, terminating after `closeTimeout`. */
  close(code: number, reason: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closing = true;
    const closed = new Promise<void>((resolve) => (this.#waiters ??= []).push(resolve));
    closeSocket(this.connection.socket, code, reason);
    const timer = setTimeout(() => this.terminate(), this.settings.closeTimeout);
    unrefTimer(timer);
    return closed.finally(() => clearTimeout(timer));
  }

  /** Marks a connection that was never opened as closed, without any callback. */
  discard(): void {
    this.#closed = true;
  }

  /** Marks the connection closed (idempotent) and runs `onClose`. */
  closedWith(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClosed(this, code, reason);
    connectionClosed(this.connection);
    for (const resolve of this.#waiters ?? []) resolve();
    this.#waiters = undefined;
    invokeSafely(
      this.handler?.onClose,
      (e) => this.report(e, "onClose"),
      this.connection,
      code,
      reason,
    );
  }

  ping(): void {
    const { socket } = this.connection;
    if (socket.readyState !== OPEN) return;
    try {
      if (socket.ping) socket.ping();
      else if (this.settings.systemFrames) socket.send(pingFrame());
      // A path without system frames has no JSON ping to fall back on: no heartbeat there.
      else this.pingSentAt = 0;
    } catch (error) {
      this.transportError(error);
    }
  }

  /** The peer missed its pong: report and drop it. */
  expire(): void {
    const error = new WebSocketConnectionError(`No pong within ${this.settings.pongTimeout} ms`, {
      code: "PONG_TIMEOUT",
      connectionId: this.connection.id,
    });
    this.report(error);
    this.terminate();
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    const { socket } = this.connection;
    try {
      if (socket.terminate) socket.terminate();
      else socket.close(CloseCode.GOING_AWAY, "Terminated");
    } catch {
      // The socket is already gone; the registry cleanup below is what matters.
    }
    this.closedWith(1006, "");
  }

  /** Sends `error` to the path's `onError` (or the console when there is none). */
  report(error: Error, callback?: string): void {
    const reported =
      error instanceof WebSocketError
        ? error
        : new WebSocketError(`${callback ?? "handler"} failed: ${error.message}`, {
            code: "HANDLER_ERROR",
            connectionId: this.connection.id,
            cause: error,
          });
    errorReported(this.connection, reported.code);
    const onError = this.handler?.onError;
    if (onError === undefined) {
      console.error(`[agentsocket] ${reported.code}: ${reported.message}`);
      return;
    }
    // An onError that fails itself has nowhere left to report to.
    invokeSafely(onError, () => {}, this.connection, reported);
  }

  /**
   * A frame arrived after the server's close (core's or the handler's): dropped; a peer that
   * does not answer the close is terminated after `closeTimeout`. @internal
   */
  afterClose(): void {
    if (!this.#closing && !this.#closed) void this.close(CloseCode.NORMAL, "");
  }

  /** A frame arrived (past the frame budget). @internal */
  receive(data: WebSocketData, isBinary: boolean): void {
    if (this.#closed || this.#closing) return;
    const { connection, settings } = this;
    // Queued by the frame budget before the server's close: dropped like those after it.
    if (connection.socket.readyState !== OPEN) return;
    if (exceedsBytes(data, settings.maxMessageSize)) return this.#tooLarge();
    connection.lastActivity = Date.now();
    this.pingSentAt = 0;
    const payload = normalizeIncoming(data, isBinary);
    if (this.#rate && !this.#rate.take(connection.lastActivity))
      return refuseFrame(this, this.#rate, payload, connection.lastActivity, settings.systemFrames);
    if (typeof payload === "string" && settings.systemFrames) {
      const system = parseSystemFrame(payload);
      if (system?.type === "ping") connection.socket.send(pongFrame(system.timestamp));
      if (system) return;
    }
    const message = {
      type: typeof payload === "string" ? ("text" as const) : ("binary" as const),
      data: payload,
      timestamp: connection.lastActivity,
    };
    invokeSafely(this.handler?.onMessage, (e) => this.report(e, "onMessage"), connection, message);
  }

  #tooLarge(): void {
    const limit = this.settings.maxMessageSize;
    const error = new WebSocketError(`Message exceeds max size (${limit} bytes)`, {
      code: "MESSAGE_TOO_LARGE",
      connectionId: this.connection.id,
    });
    this.#closing = true;
    this.report(error);
    closeSocket(this.connection.socket, ERRORS.MESSAGE_TOO_LARGE.closeCode, "Message too big");
  }

  /** The transport reported an error. @internal */
  transportError(cause: unknown): void {
    // `ws` enforces its own maxPayload before core sees the frame; report it the same way.
    if ((cause as { code?: unknown })?.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH")
      return this.#tooLarge();
    const message = cause instanceof Error ? cause.message : "Transport error";
    this.report(
      new WebSocketError(message, {
        code: "TRANSPORT_ERROR",
        connectionId: this.connection.id,
        cause,
      }),
    );
  }
}

/**
 * The events of one connection, as methods over it: one object per connection instead of a
 * closure per event (and per-closure contexts) kept for the connection's life.
 */
class ManagedEvents implements ConnectionEvents {
  readonly #budget: FrameBudget | undefined;
  #afterClose = 0;

  constructor(
    private readonly managed: ManagedConnection,
    private readonly count: ((data: WebSocketData) => void) | undefined,
  ) {
    const { socket } = managed.connection;
    if (socket.pause !== undefined && socket.resume !== undefined)
      this.#budget = new FrameBudget(
        socket,
        managed.maxFramesPerTurn,
        managed,
        managed.holdReadingAbove,
      );
  }

  get id(): string {
    return this.managed.connection.id;
  }

  message(data: WebSocketData, isBinary: boolean): void {
    this.count?.(data);
    const { managed } = this;
    // `ws` parses the rest of a read after a terminate: one terminate per frame cost an Error each.
    if (managed.closed) return;
    if (managed.connection.socket.readyState !== OPEN) {
      // Sending on after the close: dropped, a read a turn (not all a flooder sends in one go,
      // nor terminated at once, which could lose the close frame); past 1,024 it is terminated.
      if (++this.#afterClose > 16 * FRAMES_AFTER_CLOSE) return managed.terminate();
      if (this.#afterClose % FRAMES_AFTER_CLOSE === 0) this.#budget?.rest(0);
      return managed.afterClose();
    }
    if (this.#budget) this.#budget.take(data, isBinary);
    else this.managed.receive(data, isBinary);
  }

  pong(): void {
    this.managed.pong();
  }

  close(code: number, reason: string): void {
    this.managed.closedWith(code, reason);
  }

  error(error: unknown): void {
    this.managed.transportError(error);
  }
}

/** Closes a socket; a close the socket refuses (e.g. an invalid code) becomes a terminate. */
export function closeSocket(socket: SocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    socket.terminate?.();
  }
}
