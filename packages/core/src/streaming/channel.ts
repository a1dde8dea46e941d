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
import { ChunkPrefix } from "../chunk-frame.ts";
import { ERRORS, WebSocketError } from "../errors.ts";
import { streamProbe, type StreamProbe } from "../instrumentation/hub.ts";
import { unrefTimer } from "../timers.ts";
import type { SocketLike, WebSocketConnection } from "../types.ts";
import { createSocketWriter, type FrameWriter } from "./frame-writer.ts";
import { pollUntil } from "./drain-poll.ts";
import { atEndOfTurn, currentTurn, nextTurn } from "./turn.ts";

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
  const limits: Limits = { bufferSize, maxChunkSize, latencyTarget, stallTimeout };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < (name === "latencyTarget" ? 0 : 1)) {
      throw new TypeError(
        `The "${name}" option must be a ${name === "latencyTarget" ? "non-negative" : "positive"} integer`,
      );
    }
  }

  return new Channel(writer, requestId, limits, coalesce, streamProbe(target));
}

type Limits = Required<Omit<StreamingChannelOptions, "requestId" | "coalesce">>;

/**
 * One channel's state and methods. A class, not an object literal of closures: a literal with a
 * getter gets a hidden class of its own per channel, so every per-token `channel.send` (and the
 * channel's own field reads) went through a megamorphic lookup.
 */
class Channel implements StreamingChannel {
  readonly #writer: FrameWriter;
  // The limits as fields, not an object: one object fewer to reach per token.
  readonly #bufferSize: number;
  readonly #maxChunkSize: number;
  readonly #latencyTarget: number;
  readonly #stallTimeout: number;
  readonly #coalesce: boolean;
  // Reports to the connection's manager when it has instrumentation (undefined for SSE).
  readonly #probe: StreamProbe | undefined;
  // The frame prefix never changes; building it once keeps the per-frame work to one string escape.
  readonly #chunkPrefix: ChunkPrefix;
  #pending = "";
  #seq = 0;
  #pieces = 0;
  #ended = false;
  #failure: WebSocketError | undefined;
  // Open while followers of this turn's (or window's) first piece are gathered.
  #windowOpen = false;
  // The turn whose first piece went out (latencyTarget 0): a piece seeing another turn is first.
  #turn = -1;
  // Made once per channel: opening a window per token allocates nothing.
  readonly #closeWindow = () => {
    this.#windowOpen = false;
    this.#flush();
  };

  constructor(
    writer: FrameWriter,
    readonly requestId: string,
    limits: Limits,
    coalesce: boolean,
    probe: StreamProbe | undefined,
  ) {
    this.#writer = writer;
    this.#bufferSize = limits.bufferSize;
    this.#maxChunkSize = limits.maxChunkSize;
    this.#latencyTarget = limits.latencyTarget;
    this.#stallTimeout = limits.stallTimeout;
    this.#coalesce = coalesce;
    this.#probe = probe;
    this.#chunkPrefix = new ChunkPrefix(requestId);
  }

  get ended(): boolean {
    return this.#ended;
  }

  send(text: string): Promise<void> | undefined {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended)
      return Promise.reject(new WebSocketError("Stream already ended", { code: "INTERNAL_ERROR" }));
    const writer = this.#writer;
    if (!writer.open) return Promise.reject((this.#failure ??= closedError()));
    if (text === "") return undefined;
    this.#pieces++;
    this.#pending += text;
    const bufferSize = this.#bufferSize;
    const maxChunkSize = this.#maxChunkSize;
    const latencyTarget = this.#latencyTarget;
    if (!this.#coalesce) {
      this.#write();
    } else if (latencyTarget === 0 && this.#turn !== currentTurn()) {
      // Leading edge: the first piece of a turn goes out now, and asks for no end-of-turn call
      // (a lone token then costs no flush); a follower in the same turn opens the window.
      this.#turn = currentTurn();
      this.#write();
    } else if (!this.#windowOpen) {
      this.#windowOpen = true;
      if (latencyTarget > 0) unrefTimer(setTimeout(this.#closeWindow, latencyTarget));
      else {
        atEndOfTurn(this.#closeWindow);
        if (this.#pending.length >= maxChunkSize) return this.#full(bufferSize);
      }
    } else if (this.#pending.length >= maxChunkSize) {
      return this.#full(bufferSize);
    }
    if (writer.bufferedAmount > bufferSize) return this.#waitForDrain();
    return undefined;
  }

  /** Writes a full frame's worth, then lets other connections have a turn before producing more. */
  #full(bufferSize: number): Promise<void> {
    this.#write();
    if (this.#writer.bufferedAmount > bufferSize) return this.#waitForDrain();
    return new Promise<void>((resolve) => nextTurn(resolve));
  }

  event(frame: Record<string, unknown> & { type: string }): void {
    if (this.#ended || !this.#writer.open) return;
    this.#flush();
    this.#writer.write(JSON.stringify({ ...frame, requestId: this.requestId }), frame.type);
  }

  complete(extra: Record<string, unknown> = {}): void {
    this.#terminal({ status: "completed", ...extra }, "stream_complete");
  }

  error(code: string, message: string): void {
    this.#terminal({ code, error: message }, "error");
  }

  getChunkCount(): number {
    return this.#pieces;
  }

  getFrameCount(): number {
    return this.#seq;
  }

  #flush(): void {
    if (this.#pending.length !== 0 && this.#writer.open) this.#write();
  }

  /** Writes what is pending as chunk frames (the writer known open). */
  #write(): void {
    const maxChunkSize = this.#maxChunkSize;
    let pending = this.#pending;
    this.#pending = "";
    while (pending.length > maxChunkSize) {
      // Never split a surrogate pair across frames.
      const cut = isHighSurrogate(pending.charCodeAt(maxChunkSize - 1))
        ? maxChunkSize - 1
        : maxChunkSize;
      this.#writeChunk(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
    this.#writeChunk(pending);
  }

  #writeChunk(content: string): void {
    const writer = this.#writer;
    const seq = ++this.#seq;
    if (writer.writeText !== undefined) writer.writeText(content, seq);
    else if (writer.writeChunk !== undefined) writer.writeChunk(this.#chunkPrefix, seq, content);
    else writer.write(this.#chunkPrefix.frame(seq, content), "chunk");
    this.#probe?.chunk();
  }

  #waitForDrain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#probe?.paused();
      const started = Date.now();
      const bufferSize = this.#bufferSize;
      const stallTimeout = this.#stallTimeout;
      const writer = this.#writer;
      pollUntil(() => {
        try {
          if (this.#ended) resolve();
          else if (!writer.open) reject((this.#failure ??= closedError()));
          else if (writer.bufferedAmount <= bufferSize / 2) resolve();
          else if (Date.now() - started >= stallTimeout) {
            this.#failure ??= new WebSocketError(`Client did not read for ${stallTimeout} ms`, {
              code: "SLOW_CONSUMER",
            });
            writer.close(ERRORS.SLOW_CONSUMER.closeCode, ERRORS.SLOW_CONSUMER.message);
            reject(this.#failure);
          } else return false;
        } catch (error) {
          // A transport that throws ends this wait, not every other channel's.
          reject(error);
        }
        return true;
      });
    });
  }

  #terminal(frame: Record<string, unknown>, type: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#flush();
    this.#probe?.ended(
      type === "error" ? "error" : frame.status === "cancelled" ? "cancelled" : "completed",
    );
    if (this.#writer.open)
      this.#writer.write(JSON.stringify({ type, requestId: this.requestId, ...frame }), type);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function closedError(): WebSocketError {
  return new WebSocketError("Connection closed", { code: "CONNECTION_CLOSED" });
}
