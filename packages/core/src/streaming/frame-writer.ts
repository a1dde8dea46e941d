/**
 * Where a streaming channel writes: a WebSocket, or an SSE response. Both expose how much is
 * queued, which is all backpressure needs.
 */
import type { ChunkPrefix } from "../chunk-frame.ts";
import { OPEN, type SocketLike, type WebSocketConnection } from "../types.ts";

/** A sink for serialized frames. */
export interface FrameWriter {
  /** Writes one JSON frame; `type` is the frame's `type` (SSE uses it as the event name). */
  write(json: string, type: string): void;
  /**
   * Takes a `chunk` frame's text and `seq` as they are, for a writer that re-encodes chunks
   * itself (the Socket.IO binding emits them as events): with it, the channel never serializes
   * chunk frames. Every other frame still goes to {@link write}.
   */
  writeText?(content: string, seq: number): void;
  /**
   * Writes the `chunk` frame `prefix.frame(seq, content)`, for a writer that can encode it without
   * building the string (a socket with `sendChunk`). Without it, the channel calls {@link write}.
   */
  writeChunk?(prefix: ChunkPrefix, seq: number, content: string): void;
  /** Bytes written but not yet flushed to the network. */
  readonly bufferedAmount: number;
  /** Whether frames can still be written. */
  readonly open: boolean;
  /** Ends the transport (used when a client stalls past `stallTimeout`). */
  close(code: number, reason: string): void;
}

/** A {@link FrameWriter} over a WebSocket (or a connection's socket). */
export function createSocketWriter(target: SocketLike | WebSocketConnection): FrameWriter {
  return new SocketWriter("socket" in target ? target.socket : target);
}

/**
 * A class, not an object literal with getters: a literal's accessors gave every stream's writer
 * a hidden class of its own, and the channel's per-token `open` / `bufferedAmount` reads a
 * megamorphic lookup.
 */
class SocketWriter implements FrameWriter {
  constructor(private readonly socket: SocketLike) {}

  write(json: string): void {
    this.socket.send(json);
  }

  writeChunk(prefix: ChunkPrefix, seq: number, content: string): void {
    const { socket } = this;
    if (socket.sendChunk !== undefined) socket.sendChunk(prefix, seq, content);
    else socket.send(prefix.frame(seq, content));
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  get open(): boolean {
    return this.socket.readyState === OPEN;
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}
