/**
 * The frames core itself speaks (DESIGN.md "Wire protocol v1"): `connected` on open, and JSON
 * `ping`/`pong` for clients that cannot send protocol-level pings (browsers).
 */

/** Version of the wire protocol announced in the `connected` frame. */
export const PROTOCOL_VERSION = 1;

/** The `connected` frame; `session` adds `sessionId` and `resumeToken` when sessions are on. */
export function connectedFrame(
  connectionId: string,
  timestamp: number,
  session?: { sessionId: string; resumeToken: string },
): string {
  const frame = { type: "connected", connectionId, timestamp, protocol: PROTOCOL_VERSION };
  return JSON.stringify(session ? { ...frame, ...session } : frame);
}

export function pingFrame(): string {
  return JSON.stringify({ type: "ping", timestamp: Date.now() });
}

/** The pong for a client's JSON ping: echoes its `timestamp`, or stamps the current time. */
export function pongFrame(timestamp: number = Date.now()): string {
  return JSON.stringify({ type: "pong", timestamp });
}

/** A JSON ping or pong from the client; `timestamp` from the frame or its payload. */
export interface SystemFrame {
  type: "ping" | "pong";
  timestamp?: number;
}

/** Longest frame that may be a system frame; anything longer skips the check entirely. */
const MAX_SYSTEM_FRAME = 256;

/** Recognizes `{"type":"ping"}` and `{"type":"pong"}` frames without parsing ordinary traffic. */
export function parseSystemFrame(text: string): SystemFrame | undefined {
  if (text.length > MAX_SYSTEM_FRAME || text.charCodeAt(0) !== 123 /* { */) return undefined;
  if (!text.includes('"ping"') && !text.includes('"pong"')) return undefined;
  let frame: { type?: unknown; timestamp?: unknown; payload?: { timestamp?: unknown } };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    return undefined;
  }
  if (frame.type !== "ping" && frame.type !== "pong") return undefined;
  const timestamp = frame.timestamp ?? frame.payload?.timestamp;
  return typeof timestamp === "number" ? { type: frame.type, timestamp } : { type: frame.type };
}
