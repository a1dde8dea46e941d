/**
 * The one error class of the client: a server `error` frame, a connection lost mid-request, or a
 * stream the server could not resume. `code` is stable; match on it, not on the message.
 */

/**
 * Codes the client raises itself. Server codes (`VALIDATION_FAILED`, `TOOL_NOT_FOUND`,
 * `CANCELLED`, …) come as the server sent them; they are listed in agentsocket's `docs/errors.md`.
 */
export type ClientErrorCode =
  /** `client.close()` was called, or reconnecting gave up (`reconnect.maxRetries`). */
  | "CONNECTION_CLOSED"
  /** The connection dropped while the request was in flight and it could not be resumed. */
  | "CONNECTION_LOST"
  /** The server answered `resumed {recovered: false}`: the rest of the stream is gone. */
  | "RESUME_FAILED";

/** Options of {@link AgentSocketError}. */
export interface AgentSocketErrorOptions {
  /** The request the error belongs to. */
  requestId?: string;
  /** Why a resume failed (`"expired"`, `"not_found"`, …), as the server said. */
  reason?: string;
  cause?: unknown;
}

/** A failed request: `code` is a server error code or a {@link ClientErrorCode}. */
export class AgentSocketError extends Error {
  override readonly name = "AgentSocketError";
  /** A stable code: one of `docs/errors.md`, or a {@link ClientErrorCode}. */
  readonly code: string;
  /** The request that failed, when there is one. */
  readonly requestId: string | undefined;
  /** Why a resume failed, for `RESUME_FAILED`. */
  readonly reason: string | undefined;

  constructor(code: string, message: string, options: AgentSocketErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.requestId = options.requestId;
    this.reason = options.reason;
  }
}
