/**
 * Wire protocol v1 envelopes (DESIGN.md): `{ type, payload?, requestId? }` from the client,
 * `{ type: "error", requestId?, code, error }` for anything that goes wrong.
 */
import type { ErrorCode } from "./errors.ts";

/** A client message. */
export interface ClientEnvelope {
  type: string;
  payload?: unknown;
  requestId?: string;
}

/** A frame the server sends. Replies to a request carry its `requestId`. */
export interface ServerFrame {
  type: string;
  requestId?: string;
  [key: string]: unknown;
}

/** The error frame every failure becomes. `error` is safe to show; it never holds a stack. */
export interface ErrorFrame extends ServerFrame {
  type: "error";
  code: ErrorCode;
  error: string;
}

export function errorFrame(code: ErrorCode, error: string, requestId?: string): ErrorFrame {
  return requestId === undefined
    ? { type: "error", code, error }
    : { type: "error", requestId, code, error };
}

/** Longest accepted `requestId`; longer ones are client mistakes, not identifiers. */
const MAX_REQUEST_ID = 128;

/** Parses and checks an envelope; a failure comes back as the error frame to send. */
export function parseEnvelope(
  data: string | ArrayBuffer | object,
): { ok: true; envelope: ClientEnvelope } | { ok: false; frame: ErrorFrame } {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return {
      ok: false,
      frame: errorFrame("INVALID_MESSAGE", "Binary frames are not JSON messages"),
    };
  }
  let value: unknown = data;
  if (typeof data === "string") {
    try {
      value = JSON.parse(data);
    } catch {
      return { ok: false, frame: errorFrame("INVALID_JSON", "Message is not valid JSON") };
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, frame: errorFrame("INVALID_MESSAGE", "Message must be a JSON object") };
  }
  const { type, payload, requestId } = value as Record<string, unknown>;
  const id =
    typeof requestId === "string" && requestId.length > 0 && requestId.length <= MAX_REQUEST_ID
      ? requestId
      : undefined;
  if (requestId !== undefined && id === undefined) {
    return {
      ok: false,
      frame: errorFrame(
        "INVALID_MESSAGE",
        `"requestId" must be a string of 1-${MAX_REQUEST_ID} characters`,
      ),
    };
  }
  if (typeof type !== "string" || type === "") {
    return { ok: false, frame: errorFrame("INVALID_MESSAGE", 'Message needs a string "type"', id) };
  }
  const envelope: ClientEnvelope = { type };
  if (payload !== undefined) envelope.payload = payload;
  if (id !== undefined) envelope.requestId = id;
  return { ok: true, envelope };
}
