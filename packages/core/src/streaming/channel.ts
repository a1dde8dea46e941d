/**
 * A streaming channel: turns a producer's text pieces into `chunk` frames for one request.
 *
 * - Coalescing: with `latencyTarget` 0 the first piece of an event-loop turn is written at once
 *   and the pieces that follow it in the same turn leave together at the turn's end, so a token
 *   that arrives alone is never delayed; with `latencyTarget` > 0, pieces wait up to that many ms
 *   to leave together. Frames hold at most `maxChunkSize` characters, in order, nothing dropped.
 * - Backpressure: `send()` returns a promise while the transport holds more than `bufferSize`
 *   bytes; a producer that awaits it stops pulling upstream until the client drains.
 * - A client stalled for `stallTimeout` ms is closed and `send()` rejects, so upstream is aborted.
 */
import { ERRORS, WebSocketError } from "../errors.ts";
import { streamProbe } from "../instrumentation/hub.ts";
import { unrefTimer } from "../timers.ts";
import type { SocketLike, WebSocketConnection } from "../types.ts";
import { createSocketWriter, type FrameWriter } from "./frame-writer.ts";
import { atEndOfTurn, nextTurn } from "./turn.ts";

/** Where a channel writes: a socket, a connection (its socket), or any {@link FrameWriter} (SSE). */
export type StreamTarget = SocketLike | WebSocketConnection | FrameWriter;

/** Options of {@link createStreamingChannel}. */
export interface StreamingChannelOptions {
  /** The request the frames belong to (stamped on every frame). */
  requestId: string;
  /** Bytes the transport may hold before `send()` makes the producer wait. @default 65536 */
  bufferSize?: number;
  /** Most characters of text in one `chunk` frame. @default 4096 */
  maxChunkSize?: number;
  /** Milliseconds text may wait to be coalesced; 0 means "until the end of this tick". @default 0 */
  latencyTarget?: number;
  /** Milliseconds a client may stay congested before it is closed (1008). @default 30000 */
  stallTimeout?: number;
  /** Merge pieces that arrive together into one frame; false sends one frame per piece. @default true */
  coalesce?: boolean;
}

/** A channel for one streamed response. */
export interface StreamingChannel {
  readonly requestId: string;
  /**
   * Queues text. Returns `undefined` when the producer may go on at once, or a promise to await:
   * while the transport is congested, or for one turn after a full frame (so a fast producer
   * cannot starve other clients). The promise rejects with `SLOW_CONSUMER` after a stall, or
   * `CONNECTION_CLOSED` once the transport is gone.
   */
  send(text: string): Promise<void> | undefined;
  /** Sends a non-text frame (tool activity) in order with the text. */
  event(frame: Record<string, unknown> & { type: string }): void;
  /** Flushes and sends the one terminal `stream_complete` frame. */
  complete(extra?: Record<string, unknown>): void;
  /** Flushes and sends the one terminal `error` frame. */
  error(code: string, message: string): void;
  /** Pieces of text accepted so far. */
  getChunkCount(): number;
  /** `chunk` frames written so far. */
  getFrameCount(): number;
  /** Whether a terminal frame has been sent. */
  readonly ended: boolean;
}

const DEFAULTS = {
  bufferSize: 64 * 1024,
  maxChunkSize: 4096,
  latencyTarget: 0,
  stallTimeout: 30_000,
};
const DRAIN_POLL_MS = 5;

/**
 * Creates a channel on a socket, a connection, or any {@link FrameWriter}.
 * @example
 * const channel = createStreamingChannel(connection, { requestId });
 * for await (const piece of upstream) await channel.send(piece.content);
 * channel.complete({ status: "completed" });
 */
export function createStreamingChannel(
  target: StreamTarget,
  options: StreamingChannelOptions,
): StreamingChannel {
  const writer = "write" in target ? target : createSocketWriter(target);
  const { requestId } = options;
  const bufferSize = options.bufferSize ?? DEFAULTS.bufferSize;
  const maxChunkSize = options.maxChunkSize ?? DEFAULTS.maxChunkSize;
  const latencyTarget = options.latencyTarget ?? DEFAULTS.latencyTarget;
  const stallTimeout = options.stallTimeout ?? DEFAULTS.stallTimeout;
  const coalesce = options.coalesce ?? true;
  if (typeof requestId !== "string" || requestId === "")
    throw new TypeError('The "requestId" option is required');
  for (const [name, value] of Object.entries({
    bufferSize,
    maxChunkSize,
    latencyTarget,
    stallTimeout,
  })) {
    if (!Number.isInteger(value) || value < (name === "latencyTarget" ? 0 : 1)) {
      throw new TypeError(
        `The "${name}" option must be a ${name === "latencyTarget" ? "non-negative" : "positive"} integer`,
      );
    }
  }

  // The frame prefix never changes; building it once keeps the per-frame work to one string escape.
  const chunkPrefix = `{"type":"chunk","requestId":${JSON.stringify(requestId)},"seq":`;
  let pending = "";
  let seq = 0;
  let pieces = 0;
  let ended = false;
  let failure: WebSocketError | undefined;
  // Open while the first piece of this turn (window) has gone out and followers are gathered.
  let windowOpen = false;
  // Reports to the connection's manager when it has instrumentation (undefined for SSE).
  const probe = streamProbe(target);

  const writeChunk = (content: string) => {
    if (writer.writeText !== undefined) writer.writeText(content, ++seq);
    else writer.write(`${chunkPrefix}${++seq},"content":${JSON.stringify(content)}}`, "chunk");
    probe?.chunk();
  };

  const flush = () => {
    if (pending === "" || !writer.open) return;
    while (pending.length > maxChunkSize) {
      // Never split a surrogate pair across frames.
      const cut = isHighSurrogate(pending.charCodeAt(maxChunkSize - 1))
        ? maxChunkSize - 1
        : maxChunkSize;
      writeChunk(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
    writeChunk(pending);
    pending = "";
  };

  const closeWindow = () => {
    windowOpen = false;
    flush();
  };

  const openWindow = () => {
    windowOpen = true;
    if (latencyTarget > 0) unrefTimer(setTimeout(closeWindow, latencyTarget));
    else atEndOfTurn(closeWindow);
  };

  const waitForDrain = () =>
    new Promise<void>((resolve, reject) => {
      probe?.paused();
      const started = Date.now();
      const poll = () => {
        if (ended) return resolve();
        if (!writer.open) return reject((failure ??= closedError()));
        if (writer.bufferedAmount <= bufferSize / 2) return resolve();
        if (Date.now() - started >= stallTimeout) {
          failure ??= new WebSocketError(`Client did not read for ${stallTimeout} ms`, {
            code: "SLOW_CONSUMER",
          });
          writer.close(ERRORS.SLOW_CONSUMER.closeCode, ERRORS.SLOW_CONSUMER.message);
          return reject(failure);
        }
        unrefTimer(setTimeout(poll, DRAIN_POLL_MS));
      };
      poll();
    });

  const terminal = (frame: Record<string, unknown>, type: string) => {
    if (ended) return;
    ended = true;
    flush();
    probe?.ended(
      type === "error" ? "error" : frame.status === "cancelled" ? "cancelled" : "completed",
    );
    if (writer.open) writer.write(JSON.stringify({ type, requestId, ...frame }), type);
  };

  return {
    requestId,
    get ended() {
      return ended;
    },
    send(text) {
      if (failure) return Promise.reject(failure);
      if (ended)
        return Promise.reject(
          new WebSocketError("Stream already ended", { code: "INTERNAL_ERROR" }),
        );
      if (!writer.open) return Promise.reject((failure ??= closedError()));
      if (text === "") return undefined;
      pieces++;
      pending += text;
      if (!coalesce) {
        flush();
      } else if (!windowOpen) {
        openWindow();
        // Leading edge: with no latency budget, a piece that finds nothing waiting goes out now.
        if (latencyTarget === 0) flush();
      } else if (pending.length >= maxChunkSize) {
        flush();
        // A full frame went out: let other connections have a turn before producing more.
        if (writer.bufferedAmount <= bufferSize)
          return new Promise<void>((resolve) => nextTurn(resolve));
      }
      if (writer.bufferedAmount > bufferSize) return waitForDrain();
      return undefined;
    },
    event(frame) {
      if (ended || !writer.open) return;
      flush();
      writer.write(JSON.stringify({ ...frame, requestId }), frame.type);
    },
    complete: (extra = {}) => terminal({ status: "completed", ...extra }, "stream_complete"),
    error: (code, message) => terminal({ code, error: message }, "error"),
    getChunkCount: () => pieces,
    getFrameCount: () => seq,
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function closedError(): WebSocketError {
  return new WebSocketError("Connection closed", { code: "CONNECTION_CLOSED" });
}
