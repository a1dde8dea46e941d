/**
 * The cap on one connection's unsent bytes (issue 8, hole 2). Every frame core, a handler or a
 * streaming channel sends goes through `connection.socket`, so wrapping that one socket bounds
 * them all: a peer that stops reading is closed with 1008 instead of queueing without limit.
 */
import { WebSocketConnectionError } from "./errors.ts";
import type { ChunkPrefix } from "./chunk-frame.ts";
import type { PreparedFrame } from "./frame-data.ts";
import { ForwardingSocket } from "./socket-with-send.ts";
import type { SocketLike, WebSocketData } from "./types.ts";

/**
 * Wraps `socket` so that a send finding more than `maxBufferedBytes` already queued is dropped,
 * `onOverflow` is called once with a `SLOW_CONSUMER` error, and later sends are dropped too. The
 * check runs before the send, so one large frame still goes out on a connection that keeps up.
 */
export function limitBufferedBytes(
  socket: SocketLike,
  maxBufferedBytes: number,
  connectionId: string,
  onOverflow: (error: WebSocketConnectionError) => void,
): SocketLike {
  return new LimitedSocket(socket, maxBufferedBytes, connectionId, onOverflow);
}

// A class rather than a closure over `withSend`: one object per connection instead of four.
class LimitedSocket extends ForwardingSocket {
  #overflowed = false;

  constructor(
    inner: SocketLike,
    private readonly maxBufferedBytes: number,
    private readonly connectionId: string,
    private readonly onOverflow: (error: WebSocketConnectionError) => void,
  ) {
    super(inner);
  }

  send(data: WebSocketData): void {
    if (this.#admit()) this.inner.send(data);
  }

  override sendFrame(frame: PreparedFrame): void {
    if (this.#admit()) this.inner.sendFrame!(frame);
  }

  override sendChunk(prefix: ChunkPrefix, seq: number, content: string): number {
    return this.#admit() ? this.inner.sendChunk!(prefix, seq, content) : 0;
  }

  #admit(): boolean {
    if (this.#overflowed) return false;
    const queued = this.inner.bufferedAmount;
    if (queued <= this.maxBufferedBytes) return true;
    this.#overflowed = true;
    const message = `Client did not read: ${queued} bytes unsent (maxBufferedBytes ${this.maxBufferedBytes})`;
    const { connectionId } = this;
    this.onOverflow(new WebSocketConnectionError(message, { code: "SLOW_CONSUMER", connectionId }));
    return false;
  }
}
