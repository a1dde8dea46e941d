/**
 * Fan-out on `ws` sockets: a {@link PreparedFrame} written as it is to a `ws` WebSocket's TCP
 * socket, and the fan-out writes of one event-loop turn to one socket coalesced into one write.
 *
 * Why (issue 14, profile of 1,000 clients × 100 broadcasts): three quarters of the server's time
 * went to `writev`, one system call (and one trip through the loopback TCP stack) per frame per
 * client; framing each message again for every client came next. Socket.IO encodes a broadcast
 * once (`ws`'s `Sender.frame`) and, because engine.io queues a client's packets while a write is
 * in flight, writes a client's frames back to back. Here the frame is built once in core
 * (frame-data.ts) and a socket is corked from its first fan-out frame of a turn to the end of the
 * turn (a microtask), so N broadcasts in one turn cost each client one system call, not N.
 *
 * `ws` is typed structurally (core never imports it). Its `_sender.sendFrame(list, cb)` is what
 * `ws` itself writes a framed message with; Socket.IO relies on it the same way.
 */
import {
  CONTENT_KEY,
  digitCount,
  needsEscape,
  writeDigits,
  type ChunkPrefix,
} from "./chunk-frame.ts";
import { byteLength, frameHeaderSize, writeFrameHeader, type PreparedFrame } from "./frame-data.ts";
import { OPEN, type WebSocketData } from "./types.ts";

/** The TCP side of a `ws` socket (a `net.Socket`). */
interface Transport {
  cork(): void;
  uncork(): void;
  readonly writableCorked: number;
  readonly writableLength: number;
}

/** The parts of a `ws` `WebSocket` a prepared frame needs. */
interface WsInternals {
  readonly readyState: number;
  readonly extensions?: unknown;
  /** `ws`'s own flag: a client's frames must be masked, a prepared frame is not. */
  readonly _isServer?: boolean;
  send(data: WebSocketData): void;
  _sender?: { sendFrame?: (list: unknown[], cb?: unknown) => void; _state?: number };
  _socket?: Partial<Transport> | null;
}

/**
 * Corked bytes past which a socket is written at once rather than at the end of the turn: one
 * write of this size already costs about what the system call does, and the unsent bytes that
 * streams and `maxBufferedBytes` look at stay small.
 */
const FLUSH_ABOVE = 16 * 1024;

type ByteView = (buffer: ArrayBufferLike, offset: number, length: number) => Uint8Array;
/** The parts of Node's `Buffer` used here (core imports no Node module). */
interface NodeBuffers {
  from: ByteView;
  byteLength(text: string): number;
  allocUnsafe(size: number): Uint8Array & { write(text: string, offset: number): number };
}
const nodeBuffer = (globalThis as { Buffer?: NodeBuffers }).Buffer;

let corked: Transport[] = [];

function uncorkAll(): void {
  const transports = corked;
  corked = [];
  // One uncork each: a socket flushed early and corked again in the same turn is listed twice,
  // and an uncork of a socket that is not corked does nothing.
  for (let i = 0; i < transports.length; i++) transports[i]!.uncork();
}

/**
 * Whether `socket` is a `ws` WebSocket that can take prepared frames: `ws`'s sender and TCP
 * socket are reachable, and permessage-deflate was not negotiated (a prepared frame is not
 * compressed; such a connection sends each message itself), and it is the server's end (a
 * client's frames are masked). Fixed once the socket is open.
 */
export function writesPreparedFrames(socket: unknown): boolean {
  const ws = socket as Partial<WsInternals>;
  const transport = ws._socket;
  return (
    typeof ws._sender?.sendFrame === "function" &&
    typeof transport?.cork === "function" &&
    typeof transport.writableCorked === "number" &&
    ws.extensions === "" &&
    ws._isServer === true
  );
}

/**
 * Writes `frame` to a socket {@link writesPreparedFrames} accepted; the socket stays corked
 * until the end of this turn, so the turn's other frames to it go out in the same write. A
 * socket that is not open, or whose sender is busy (a frame of its own still being prepared),
 * gets `frame.data` through `send()` instead, in order with its other frames.
 */
export function writePreparedFrame(socket: object, frame: PreparedFrame): void {
  const ws = socket as WsInternals;
  const sender = ws._sender!;
  const transport = ws._socket as Transport | null | undefined;
  if (ws.readyState !== OPEN || (sender._state ?? 0) !== 0 || !transport)
    return ws.send(frame.data);
  if (transport.writableCorked === 0) {
    transport.cork();
    if (corked.push(transport) === 1) queueMicrotask(uncorkAll);
  }
  // ws's `sendFrame` takes a list of chunks and only reads it: one list for every recipient.
  frame.wire ??= [
    nodeBuffer
      ? nodeBuffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.length)
      : frame.bytes,
  ];
  sender.sendFrame!(frame.wire as unknown[]);
  if (transport.writableLength > FLUSH_ABOVE) {
    transport.uncork();
  }
}

/**
 * Sends `text` as one text frame to a socket {@link writesPreparedFrames} accepted: the frame is
 * encoded straight into one buffer (header, then the UTF-8 payload) and written in one write.
 * `ws.send` of a string measures it, frames it as a header and the string, and writes the two
 * corked (a `writev` that encodes the string again on its way out); per streamed token that was
 * most of the send. Falls back to `send()` where a prepared frame would (see
 * {@link writePreparedFrame}), and outside Node.
 */
export function writeTextFrame(socket: object, text: string): void {
  const ws = socket as WsInternals;
  const sender = ws._sender!;
  if (ws.readyState !== OPEN || (sender._state ?? 0) !== 0 || !ws._socket || !nodeBuffer)
    return ws.send(text);
  const length = nodeBuffer.byteLength(text);
  const header = frameHeaderSize(length);
  const bytes = nodeBuffer.allocUnsafe(header + length);
  writeFrameHeader(bytes, length, true);
  bytes.write(text, header);
  sender.sendFrame!([bytes]);
}

/**
 * Sends `prefix.frame(seq, content)` as one text frame to a socket {@link writesPreparedFrames}
 * accepted, encoded piece by piece into one buffer: the prefix's bytes copied, `seq` written as
 * digits, and only `content` encoded, escaped only when it has to be (the frame never exists as
 * one string). Falls
 * back to `send()` of the frame's text as {@link writeTextFrame} does. Returns the payload's size
 * in bytes (what instrumentation counts as sent).
 */
export function writeChunkFrame(
  socket: object,
  prefix: ChunkPrefix,
  seq: number,
  content: string,
): number {
  const ws = socket as WsInternals;
  const sender = ws._sender!;
  if (ws.readyState !== OPEN || (sender._state ?? 0) !== 0 || !ws._socket || !nodeBuffer) {
    const text = prefix.frame(seq, content);
    ws.send(text);
    return byteLength(text);
  }
  // Most text is its own JSON between quotes. JSON.stringify escapes lone surrogates, so either
  // way the text measures and encodes alike.
  const plain = !needsEscape(content);
  const json = plain ? content : JSON.stringify(content);
  const quotes = plain ? 2 : 0;
  const start = prefix.bytes;
  const digits = digitCount(seq);
  const length =
    start.length + digits + CONTENT_KEY.length + quotes + nodeBuffer.byteLength(json) + 1;
  const header = frameHeaderSize(length);
  const bytes = nodeBuffer.allocUnsafe(header + length);
  writeFrameHeader(bytes, length, true);
  let at = header;
  bytes.set(start, at);
  writeDigits(bytes, (at += start.length), seq, digits);
  bytes.set(CONTENT_KEY, (at += digits));
  at += CONTENT_KEY.length;
  if (plain) bytes[at++] = 0x22; // "
  at += bytes.write(json, at);
  if (plain) bytes[at++] = 0x22;
  bytes[at] = 0x7d; // }
  sender.sendFrame!([bytes]);
  return length;
}
