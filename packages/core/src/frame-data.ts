/**
 * Size and shape of frame payloads, without Node's `Buffer` so core runs on any runtime.
 */
import type { WebSocketData } from "./types.ts";

const decoder = new TextDecoder();

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
