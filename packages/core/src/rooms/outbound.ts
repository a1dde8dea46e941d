/**
 * What room, user and broadcast sends accept, and the one encoding step they share: an object is
 * `JSON.stringify`ed once per send, never once per recipient.
 */
import type { ServerFrame } from "../protocol.ts";
import type { WebSocketData } from "../types.ts";

/** Data for a fan-out send: a frame object (JSON-encoded once), text, or bytes. */
export type OutboundFrame = ServerFrame | Record<string, unknown> | WebSocketData;

/** Encodes `frame` for the wire: strings and bytes as they are, objects as JSON text. */
export function encodeOutbound(frame: OutboundFrame): WebSocketData {
  if (typeof frame === "string" || frame instanceof ArrayBuffer || frame instanceof Uint8Array)
    return frame;
  if (ArrayBuffer.isView(frame)) {
    const view = frame as ArrayBufferView;
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  return JSON.stringify(frame);
}
