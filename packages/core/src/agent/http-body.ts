/**
 * Reading a JSON request body within a byte limit: the declared length is checked before a byte
 * is read, and a body that grows past the limit is cancelled as soon as it does.
 */
import type { KnownErrorCode } from "../errors.ts";

/** A body that could not be taken, as the code and message to refuse it with. */
export interface BodyProblem {
  ok: false;
  code: KnownErrorCode;
  message: string;
}

/** Whether a `content-type` is JSON: `application/json`, parameters allowed, nothing else. */
export function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const mediaType = value.split(";", 1)[0]!.trim().toLowerCase();
  return mediaType === "application/json";
}

/** Reads and parses `request`'s JSON body of at most `maxBytes` bytes. */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
): Promise<{ ok: true; value: unknown } | BodyProblem> {
  const tooLarge: BodyProblem = {
    ok: false,
    code: "MESSAGE_TOO_LARGE",
    message: `Request body exceeds ${maxBytes} bytes`,
  };
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) return tooLarge;
  if (request.body === null) return { ok: false, code: "INVALID_JSON", message: "Empty body" };
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        void reader.cancel().catch(() => {});
        return tooLarge;
      }
      parts.push(value);
    }
  } catch {
    return { ok: false, code: "CONNECTION_CLOSED", message: "The client went away" };
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch {
    return { ok: false, code: "INVALID_JSON", message: "Body is not valid JSON" };
  }
}
