/**
 * Typed errors. Every error agentsocket raises or sends carries a stable string `code`; where it
 * applies, also the WebSocket close code or the HTTP status a client sees. `docs/errors.md` lists
 * them all.
 */

/** WebSocket close codes agentsocket uses (RFC 6455 §7.4.1, plus 1013 from the IANA registry). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
} as const;

/** The documented error codes. Frames sent to clients use the same strings. */
export type ErrorCode =
  | "WEBSOCKET_ERROR"
  | "INVALID_JSON"
  | "INVALID_MESSAGE"
  | "UNKNOWN_TYPE"
  | "VALIDATION_FAILED"
  | "MESSAGE_TOO_LARGE"
  | "RATE_LIMITED"
  | "TOO_MANY_STREAMS"
  | "TOOL_NOT_FOUND"
  | "TOOL_FAILED"
  | "PROVIDER_ERROR"
  | "INTERNAL_ERROR"
  | "HANDLER_ERROR"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "ORIGIN_NOT_ALLOWED"
  | "MAX_CONNECTIONS"
  | "NOT_FOUND"
  | "CONNECTION_NOT_FOUND"
  | "CONNECTION_CLOSED"
  | "CANCELLED"
  | "SLOW_CONSUMER"
  | "PONG_TIMEOUT"
  | "TRANSPORT_ERROR";

/** Options for {@link WebSocketError}. */
export interface WebSocketErrorOptions {
  /** @default "WEBSOCKET_ERROR" */
  code?: ErrorCode;
  connectionId?: string;
  cause?: unknown;
  /** The close code the connection was (or will be) closed with, when the error closes it. */
  closeCode?: number;
  /** The HTTP status of a rejected handshake, when the error rejects one. */
  status?: number;
}

/**
 * Base class of every agentsocket error.
 * @example
 * if (error instanceof WebSocketError && error.code === "MESSAGE_TOO_LARGE") { ... }
 */
export class WebSocketError extends Error {
  readonly code: ErrorCode;
  readonly connectionId: string | undefined;
  readonly closeCode: number | undefined;
  readonly status: number | undefined;

  constructor(message: string, options: WebSocketErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WebSocketError";
    this.code = options.code ?? "WEBSOCKET_ERROR";
    this.connectionId = options.connectionId;
    this.closeCode = options.closeCode;
    this.status = options.status;
  }
}

/** An error about establishing or keeping a connection (limits, auth, origin, dead peers). */
export class WebSocketConnectionError extends WebSocketError {
  constructor(message: string, options: WebSocketErrorOptions = {}) {
    super(message, options);
    this.name = "WebSocketConnectionError";
  }
}

/** Turns anything thrown into an `Error`, so callbacks always receive one. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : "Non-error value thrown", { cause: value });
}
