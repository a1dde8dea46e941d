/**
 * The refusals every framework binding answers the same way, as `{ error, code }` with the code's
 * status: an unknown route, and a request body a handler route cannot take.
 */
import type { Refusal } from "@agentsocket/core/adapter";

/** An HTTP request no route serves. */
export function notFound(method: string, path: string): Refusal {
  return { code: "NOT_FOUND", message: `No route for ${method} ${path}` };
}

/**
 * A body the framework's parser refused with `status`: 413 past the size limit, 415 for a type
 * it cannot parse, any other 4xx a body that is not JSON, anything else an internal error.
 */
export function bodyRefusal(status: number): Refusal {
  if (status === 413) return { code: "MESSAGE_TOO_LARGE", message: "Request body too large" };
  if (status === 415)
    return { code: "UNSUPPORTED_MEDIA_TYPE", message: "Unsupported request body type" };
  if (status >= 400 && status < 500)
    return { code: "INVALID_JSON", message: "Body is not valid JSON" };
  return { code: "INTERNAL_ERROR", message: "Internal error" };
}
