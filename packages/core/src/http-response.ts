/**
 * JSON responses for refusals, shared by every adapter and the HTTP agent routes: a refused
 * handshake or request always answers its status from the error table with `{ error, code }`.
 */
import { ERRORS, type ErrorCode, type KnownErrorCode } from "./errors.ts";

/** The `content-type` of every JSON body agentsocket writes. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** A web `Response` with a JSON body. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": JSON_CONTENT_TYPE },
  });
}

/** The parts of an error a refusal is made of. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
  readonly status?: number | undefined;
}

/** The HTTP status of a refusal: its own, or its code's row in the error table, or 500. */
export function refusalStatus(refusal: Refusal): number {
  return refusal.status ?? ERRORS[refusal.code as KnownErrorCode]?.status ?? 500;
}

/** The JSON body of a refusal: `{ error, code }`. */
export function refusalBody(refusal: Refusal): { error: string; code: ErrorCode } {
  return { error: refusal.message, code: refusal.code };
}

/**
 * The response that refuses a handshake or request, e.g. `rejectionResponse(decision.error)` for
 * a rejected upgrade: its status and `{ error, code }`.
 */
export function rejectionResponse(refusal: Refusal): Response {
  return jsonResponse(refusalStatus(refusal), refusalBody(refusal));
}
