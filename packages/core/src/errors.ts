/**
 * Typed errors and the one table behind them. Every error agentsocket raises or sends carries a
 * stable string `code`; {@link ERRORS} maps each code to the HTTP status a refused request
 * answers with, the close code a connection closed for it gets, and a message safe to show a
 * client. Throw sites name a code and nothing else; `docs/errors.md` is checked against the table.
 */

/** WebSocket close codes agentsocket uses (RFC 6455 §7.4.1, plus 1012/1013 from the IANA registry). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
} as const;

/** One row of the error table. */
export interface ErrorSpec {
  /** The HTTP status of a request refused for this reason (handshakes, HTTP agent routes). */
  readonly status: number;
  /** The close code of a connection closed for this reason, when the error closes one. */
  readonly closeCode?: number;
  /** Whether a client can receive this code in an `error` frame (WebSocket or SSE). */
  readonly frame: boolean;
  /** A message safe to send to a client when there is nothing more specific to say. */
  readonly message: string;
}

/**
 * Every documented error code. Frames sent to clients and JSON bodies of refused requests use the
 * same strings; `docs/errors.md` documents each row (a test keeps the two in step).
 */
export const ERRORS = {
  WEBSOCKET_ERROR: { status: 500, frame: false, message: "WebSocket error" },
  INVALID_JSON: { status: 400, frame: true, message: "Message is not valid JSON" },
  INVALID_MESSAGE: { status: 400, frame: true, message: "Invalid message" },
  UNKNOWN_TYPE: { status: 400, frame: true, message: "Unknown message type" },
  VALIDATION_FAILED: { status: 400, frame: true, message: "Validation failed" },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    frame: false,
    message: "Content-Type must be application/json",
  },
  INVALID_HANDSHAKE: { status: 400, frame: false, message: "Not a WebSocket handshake" },
  MESSAGE_TOO_LARGE: {
    status: 413,
    closeCode: CloseCode.MESSAGE_TOO_BIG,
    frame: false,
    message: "Message too large",
  },
  RATE_LIMITED: {
    status: 429,
    closeCode: CloseCode.POLICY_VIOLATION,
    frame: true,
    message: "Rate limited",
  },
  TOO_MANY_STREAMS: { status: 429, frame: true, message: "Too many concurrent streams" },
  TOO_MANY_REQUESTS: { status: 429, frame: true, message: "Too many requests in flight" },
  TOO_MANY_ROOMS: { status: 429, frame: true, message: "Too many rooms" },
  BROKER_UNAVAILABLE: { status: 503, frame: false, message: "The message broker is unavailable" },
  TOOL_NOT_FOUND: { status: 404, frame: true, message: "Tool not found" },
  TOOL_FAILED: { status: 500, frame: true, message: "Tool failed" },
  PROVIDER_ERROR: { status: 502, frame: true, message: "The model provider failed" },
  INTERNAL_ERROR: {
    status: 500,
    closeCode: CloseCode.INTERNAL_ERROR,
    frame: true,
    message: "Internal error",
  },
  HANDLER_ERROR: { status: 500, frame: false, message: "Internal error" },
  UNAUTHORIZED: { status: 401, frame: false, message: "Unauthorized" },
  FORBIDDEN: { status: 403, frame: true, message: "Forbidden" },
  ORIGIN_NOT_ALLOWED: { status: 403, frame: false, message: "Origin not allowed" },
  NOT_FOUND: { status: 404, frame: true, message: "Not found" },
  MAX_CONNECTIONS: {
    status: 503,
    closeCode: CloseCode.TRY_AGAIN_LATER,
    frame: false,
    message: "Too many connections",
  },
  SHUTTING_DOWN: {
    status: 503,
    closeCode: CloseCode.GOING_AWAY,
    frame: true,
    message: "Server shutting down",
  },
  CONNECTION_NOT_FOUND: { status: 404, frame: false, message: "Connection not found" },
  CONNECTION_CLOSED: { status: 499, frame: false, message: "Connection closed" },
  CANCELLED: { status: 499, frame: false, message: "Request cancelled" },
  SLOW_CONSUMER: {
    status: 503,
    closeCode: CloseCode.POLICY_VIOLATION,
    frame: false,
    message: "Client too slow",
  },
  PONG_TIMEOUT: { status: 408, frame: false, message: "No pong in time" },
  TRANSPORT_ERROR: { status: 500, frame: false, message: "Transport error" },
  STREAM_TOO_LARGE: { status: 413, frame: true, message: "The stream outgrew its log" },
  STREAM_INTERRUPTED: { status: 502, frame: true, message: "The stream was interrupted" },
} as const satisfies Record<string, ErrorSpec>;

/** A documented error code (`keyof ERRORS`). */
export type KnownErrorCode = keyof typeof ERRORS;

/**
 * An error code: one of the documented ones, or an application's own (a route handler may throw
 * `new WebSocketError("…", { code: "MY_CODE" })`; clients receive it as it is).
 */
export type ErrorCode = KnownErrorCode | (string & {});

/** The table row of `code`, or `undefined` for an application's own code. */
export function errorSpec(code: string): ErrorSpec | undefined {
  return Object.hasOwn(ERRORS, code) ? ERRORS[code as KnownErrorCode] : undefined;
}

/** Options for {@link WebSocketError}. */
export interface WebSocketErrorOptions {
  /** @default "WEBSOCKET_ERROR" */
  code?: ErrorCode;
  connectionId?: string;
  cause?: unknown;
  /** The close code the connection is closed with. @default the code's row in {@link ERRORS} */
  closeCode?: number;
  /** The HTTP status a refused request answers with. @default the code's row in {@link ERRORS} */
  status?: number;
}

/**
 * Base class of every agentsocket error, whatever the transport (WebSocket, HTTP, SSE).
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
    const spec = errorSpec(this.code);
    this.connectionId = options.connectionId;
    this.closeCode = options.closeCode ?? spec?.closeCode;
    this.status = options.status ?? spec?.status;
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
