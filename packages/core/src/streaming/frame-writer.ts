/**
 * Where a streaming channel writes: a WebSocket, or an SSE response. Both expose how much is
 * queued, which is all backpressure needs.
 */
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
  /** Bytes written but not yet flushed to the network. */
  readonly bufferedAmount: number;
  /** Whether frames can still be written. */
  readonly open: boolean;
  /** Ends the transport (used when a client stalls past `stallTimeout`). */
  close(code: number, reason: string): void;
}

/** A {@link FrameWriter} over a WebSocket (or a connection's socket). */
export function createSocketWriter(target: SocketLike | WebSocketConnection): FrameWriter {
  const socket = "socket" in target ? target.socket : target;
  return {
    write: (json) => socket.send(json),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    get open() {
      return socket.readyState === OPEN;
    },
    close: (code, reason) => socket.close(code, reason),
  };
}
