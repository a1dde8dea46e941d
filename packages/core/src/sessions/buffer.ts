/**
 * The frames kept for a session while it is away, bounded in count and bytes: past either bound
 * new frames are dropped and counted, so what is kept is the contiguous start of what was sent and
 * the resumed client learns how much is missing (`dropped`). Its `socket` is what sends to the
 * parked session write into.
 */
import { utf8Length } from "../frame-data.ts";
import { OPEN, type SocketLike, type WebSocketData } from "../types.ts";

export class SessionBuffer {
  readonly frames: WebSocketData[] = [];
  bytes = 0;
  dropped = 0;
  /** A socket that keeps what is sent to it (always open, never queued on the network). */
  readonly socket: SocketLike;

  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {
    this.socket = {
      send: (data) => this.push(data),
      close: () => {},
      readyState: OPEN,
      bufferedAmount: 0,
    };
  }

  push(data: WebSocketData): void {
    const size = typeof data === "string" ? utf8Length(data) : data.byteLength;
    if (
      this.dropped > 0 ||
      this.frames.length >= this.maxFrames ||
      this.bytes + size > this.maxBytes
    ) {
      this.dropped++;
      return;
    }
    // Bytes a caller may reuse after the send are copied; strings are immutable.
    if (typeof data !== "string")
      data = data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(data);
    this.frames.push(data);
    this.bytes += size;
  }
}
