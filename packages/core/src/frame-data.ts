/**
 * Size and shape of frame payloads, and a fan-out message encoded once as a WebSocket frame,
 * without Node's `Buffer` so core runs on any runtime.
 */
import type { WebSocketData } from "./types.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** UTF-8 length of a string, counted without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** UTF-8 length of a string: Node's native count where there is one (several times faster). */
export const byteLength: (text: string) => number =
  (globalThis as { Buffer?: { byteLength(text: string): number } }).Buffer?.byteLength ??
  utf8Length;

/** Whether a payload is larger than `limit` bytes. Cheap for the common small string. */
export function exceedsBytes(data: WebSocketData, limit: number): boolean {
  if (typeof data !== "string") return data.byteLength > limit;
  // Each UTF-16 unit takes 1 to 3 bytes, so most strings are decided by their length alone.
  if (data.length > limit) return true;
  if (data.length * 3 <= limit) return false;
  return utf8Length(data) > limit;
}

/** Text frames as strings, binary frames as an `ArrayBuffer` holding exactly the payload. */
export function normalizeIncoming(data: WebSocketData, isBinary: boolean): string | ArrayBuffer {
  if (typeof data === "string") return data;
  if (!isBinary) return decoder.decode(data);
  if (data instanceof ArrayBuffer) return data;
  const { buffer, byteOffset, byteLength } = data;
  if (byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer)
    return buffer;
  // Node's Buffer#slice is a view, not a copy: copy explicitly.
  const copy = new Uint8Array(byteLength);
  copy.set(data);
  return copy.buffer;
}

const TEXT = 0x1;
const BINARY = 0x2;
const FIN = 0x80;

/**
 * One message encoded once for many recipients: `bytes` is its whole server-to-client frame
 * (RFC 6455 §5.2: FIN, text or binary opcode, unmasked, no extension bits), so a transport that
 * can write raw frames (`SocketLike.sendFrame`) puts the same bytes on every connection instead
 * of converting and framing the message once per recipient. Never valid on a connection that
 * negotiated permessage-deflate: such a socket sends `data` as usual.
 */
export class PreparedFrame {
  /** The frame: header, then the payload. */
  readonly bytes: Uint8Array;
  /** The payload's size in bytes (what instrumentation counts as sent). */
  readonly payloadLength: number;
  /**
   * A slot for the transport's own view of `bytes`, made once per message (Node: a `Buffer`
   * over them, so a write does not wrap the array again for each recipient).
   */
  wire: unknown = undefined;

  /** @param data the message as `SocketLike.send` takes it (a string goes as a text frame). */
  constructor(readonly data: WebSocketData) {
    const text = typeof data === "string";
    const payload = text ? encoder.encode(data) : toBytes(data);
    const length = payload.byteLength;
    const header = frameHeaderSize(length);
    const bytes = new Uint8Array(header + length);
    writeFrameHeader(bytes, length, text);
    // Copied, not referenced: bytes the caller changes after the send do not change the frame.
    bytes.set(payload, header);
    this.bytes = bytes;
    this.payloadLength = length;
  }
}

/** Bytes of an unmasked server frame's header for a payload of `length` bytes (RFC 6455 §5.2). */
export function frameHeaderSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/**
 * Writes the header of one whole unmasked frame (FIN, text or binary opcode, no extension bits)
 * for a payload of `length` bytes at the start of `bytes`, which holds at least
 * {@link frameHeaderSize} bytes.
 */
export function writeFrameHeader(bytes: Uint8Array, length: number, text: boolean): void {
  bytes[0] = FIN | (text ? TEXT : BINARY);
  if (length < 126) bytes[1] = length;
  else if (length < 65536) {
    bytes[1] = 126;
    bytes[2] = length >>> 8;
    bytes[3] = length & 0xff;
  } else {
    bytes[1] = 127;
    // 64-bit length, big-endian; a JS array is far below 2^53 bytes.
    const view = new DataView(bytes.buffer, bytes.byteOffset, 10);
    view.setUint32(2, Math.floor(length / 2 ** 32));
    view.setUint32(6, length >>> 0);
  }
}

function toBytes(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
