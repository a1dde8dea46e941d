/**
 * Counting what a connection sends for the `frameSent` and `error` hooks: a socket wrapper that
 * reports each frame after handing it on, and the bounded error codes the hooks are given.
 */
import type { ChunkPrefix } from "../chunk-frame.ts";
import { ERRORS } from "../errors.ts";
import { byteLength, type PreparedFrame } from "../frame-data.ts";
import { ForwardingSocket } from "../socket-with-send.ts";
import type { SocketLike, WebSocketData } from "../types.ts";

const ERROR_FRAME = '{"type":"error"';
const ERROR_CODE = /"code":"([A-Z_]{1,40})"/;

/** `code` when it is in the error table, else `"OTHER"` (keeps the label set bounded). */
export function boundedCode(code: unknown): string {
  return typeof code === "string" && Object.hasOwn(ERRORS, code) ? code : "OTHER";
}

/** A frame's payload size in bytes. */
export const sizeOf = (data: WebSocketData) =>
  typeof data === "string" ? byteLength(data) : data.byteLength;

/** Whether a frame is an `error` frame: `{"type":"error"…`, told apart at index 9 first. */
const isErrorFrame = (data: WebSocketData): data is string =>
  typeof data === "string" && data.charCodeAt(9) === 101 && data.startsWith(ERROR_FRAME);

/** Calls a per-frame hook; a throw is ignored (instrumentation never breaks a connection). */
export function callSafely(
  fn: (path: string, value: number) => void,
  path: string,
  value: number,
): void {
  try {
    fn(path, value);
  } catch {
    // ignored, as in InstrumentationHub.emit
  }
}

/** Where a {@link CountingSocket} reports the error frames it sees. */
export interface ErrorSink {
  emit(hook: "error", path: string, code: string): void;
}

/** A socket that reports each frame (and each `error` frame's code) after handing it on. */
export class CountingSocket extends ForwardingSocket {
  constructor(
    inner: SocketLike,
    private readonly errors: ErrorSink,
    private readonly path: string,
    private readonly sent: readonly ((path: string, bytes: number) => void)[],
  ) {
    super(inner);
  }

  send(data: WebSocketData): void {
    this.inner.send(data);
    this.#sent(data, -1);
  }

  override sendFrame(frame: PreparedFrame): void {
    this.inner.sendFrame!(frame);
    this.#sent(frame.data, frame.payloadLength);
  }

  // A chunk frame is never an error frame, and the socket below has measured it.
  override sendChunk(prefix: ChunkPrefix, seq: number, content: string): number {
    const bytes = this.inner.sendChunk!(prefix, seq, content);
    this.#count(bytes);
    return bytes;
  }

  #sent(data: WebSocketData, size: number): void {
    if (this.sent.length !== 0) this.#count(size < 0 ? sizeOf(data) : size);
    // Error frames are all built by JSON.stringify with `type` first; only they are parsed.
    if (isErrorFrame(data))
      this.errors.emit("error", this.path, boundedCode(ERROR_CODE.exec(data)?.[1]));
  }

  #count(bytes: number): void {
    const { sent, path } = this;
    for (let i = 0; i < sent.length; i++) callSafely(sent[i]!, path, bytes);
  }
}
