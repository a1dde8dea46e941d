/**
 * A core {@link FrameWriter} over one Socket.IO socket: the streaming channel writes wire-protocol
 * frames, and each becomes the seed event its vocabulary names. Backpressure reads the bytes the
 * engine still holds for the client — packets queued in engine.io plus what the WebSocket has
 * not flushed — so a slow `socket.io-client` pauses its producer like a slow `/ws` client does.
 */
import type { FrameWriter } from "@agentsocket/core/streaming";
import type { Socket } from "socket.io";

/** A frame of wire protocol v1 as the channel writes it (`chunk`, `stream_complete`, `error`…). */
export interface StreamFrame {
  type: string;
  content?: string;
  seq?: number;
  status?: string;
  finishReason?: string;
  usage?: { total?: number; [key: string]: unknown };
  code?: string;
  error?: string;
  [key: string]: unknown;
}

/** What engine.io keeps for a client; not in its public types. */
interface EngineInternals {
  writeBuffer?: ReadonlyArray<{ data?: unknown }>;
  transport?: { socket?: { bufferedAmount?: number } };
}

/** Bytes queued for `socket`'s client: engine.io's write buffer plus the WebSocket's own. */
export function queuedBytes(socket: Socket): number {
  const engine = socket.conn as unknown as EngineInternals;
  let bytes = engine.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of engine.writeBuffer ?? []) {
    if (typeof packet.data === "string") bytes += packet.data.length;
    else if (packet.data instanceof Uint8Array) bytes += packet.data.byteLength;
  }
  return bytes;
}

/**
 * A writer whose frames go to `deliver`, which emits the matching seed events on `socket`.
 * `close()` (a client stalled past `stallTimeout`) disconnects the client.
 */
export function createEventWriter(
  socket: Socket,
  deliver: (frame: StreamFrame) => void,
): FrameWriter {
  return {
    write(json) {
      deliver(JSON.parse(json) as StreamFrame);
    },
    get bufferedAmount() {
      return queuedBytes(socket);
    },
    get open() {
      return socket.connected;
    },
    close() {
      socket.disconnect(true);
    },
  };
}

/** The backend's reported total, else `fallback` (the number of text events sent). */
export function totalTokensOf(frame: StreamFrame, fallback: number): number {
  const total = frame.usage?.total;
  return typeof total === "number" && Number.isFinite(total) ? total : fallback;
}
