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
  return engineBytes(socket.conn as unknown as EngineInternals);
}

function engineBytes(engine: EngineInternals): number {
  let bytes = engine.transport?.socket?.bufferedAmount ?? 0;
  const packets = engine.writeBuffer;
  // Read once per token: an indexed loop, and nothing to count in the usual empty buffer.
  if (packets === undefined) return bytes;
  for (let i = 0; i < packets.length; i++) {
    const data = packets[i]!.data;
    if (typeof data === "string") bytes += data.length;
    else if (data instanceof Uint8Array) bytes += data.byteLength;
  }
  return bytes;
}

/** Where a stream's frames go: each callback emits the matching seed events. */
export interface StreamEvents {
  /** The text of one `chunk` frame. */
  text(content: string): void;
  /** Every other frame (`stream_start`, `stream_complete`, `error`, tool frames). */
  frame(frame: StreamFrame): void;
  /**
   * The bytes queued for the client when the channel checks them (once per send); of a run of
   * checks that find nothing queued, only the first is reported.
   */
  queued?(bytes: number): void;
  /** The stream moves to `socket` (`ai:reconnect`), whose client has `texts` text events. */
  moveTo?(socket: Socket, texts: number): void;
}

/**
 * A writer whose frames go to `events`. Chunks arrive as text (`writeText`): the channel does not
 * serialize them, and they are emitted as the seed's events straight away — the per-token path.
 * `close()` (a client stalled past `stallTimeout`) disconnects the client.
 */
export function createEventWriter(socket: Socket, events: StreamEvents): FrameWriter {
  return new EventWriter(socket, events);
}

/**
 * A class, not an object literal: the channel reads `open` and `bufferedAmount` for every token,
 * and getters on a shared prototype are ones V8 can inline (a literal's are closures per writer).
 */
class EventWriter implements FrameWriter {
  readonly writeText: (content: string) => void;
  /** The client's engine.io socket: one per Socket.IO client, for its whole life. */
  private readonly engine: EngineInternals;
  private readonly queued: ((bytes: number) => void) | undefined;
  /** The count last given to `queued`: an empty queue found again is not news. */
  private reported = -1;

  constructor(
    private readonly socket: Socket,
    private readonly events: StreamEvents,
  ) {
    this.writeText = events.text;
    this.engine = socket.conn as unknown as EngineInternals;
    this.queued = events.queued;
  }

  write(json: string): void {
    this.events.frame(JSON.parse(json) as StreamFrame);
  }

  get bufferedAmount(): number {
    const bytes = engineBytes(this.engine);
    // Read for every token and nearly always 0: a run of empty reads reaches the callback once.
    if (this.queued !== undefined && (bytes !== 0 || this.reported !== 0)) {
      this.reported = bytes;
      this.queued(bytes);
    }
    return bytes;
  }

  get open(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.socket.disconnect(true);
  }
}

/** The backend's reported total, else `fallback` (the number of text events sent). */
export function totalTokensOf(frame: StreamFrame, fallback: number): number {
  const total = frame.usage?.total;
  return typeof total === "number" && Number.isFinite(total) ? total : fallback;
}
