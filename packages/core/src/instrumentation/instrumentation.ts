/**
 * The instrumentation hook (issue 13): what core tells a metrics exporter, with no dependency.
 * Every method is optional; core calls only those that are there, and a manager with none
 * pays nothing on its send path. Labels it hands over are bounded: a handler path, an HTTP
 * status, an error code, a stream status — never a connection, user, room or stream id.
 */

/** How a stream ended, as its terminal frame says. */
export type StreamStatus = "completed" | "cancelled" | "error";

/** A connection that went away. */
export interface ConnectionClosedEvent {
  /** The handler path it was served on. */
  path: string;
  /** How long it was open, in milliseconds. */
  durationMs: number;
}

/** A handshake refused before the upgrade. */
export interface HandshakeRejectedEvent {
  /** The requested path (after the manager's own paths are known: an unknown one is `"unknown"`). */
  path: string;
  /** The HTTP status it was answered with (401, 403, 404, 429, 503, …). */
  status: number;
  /** The error code of the refusal (`UNAUTHORIZED`, `MAX_CONNECTIONS`, …). */
  code: string;
}

/** A stream that sent its terminal frame. */
export interface StreamEndedEvent {
  path: string;
  status: StreamStatus;
  /** From the stream's start to its terminal frame, in milliseconds. */
  durationMs: number;
  /** From the stream's start to its first `chunk` frame; absent when none was sent. */
  timeToFirstChunkMs?: number;
  /** `chunk` frames sent. */
  chunks: number;
}

/**
 * Hooks the connection manager (and the streaming channels of its connections) call. Pass one
 * as `WebSocketConfig.instrumentation`, or add it later with `manager.addInstrumentation()`.
 * A hook that throws is ignored: instrumentation never breaks a connection.
 * `@agentsocket/server` ships a Prometheus one (`createPrometheusInstrumentation()`).
 */
export interface Instrumentation {
  /** A connection was accepted on `path`. */
  connectionOpened?(path: string): void;
  connectionClosed?(event: ConnectionClosedEvent): void;
  handshakeRejected?(event: HandshakeRejectedEvent): void;
  /** A frame arrived (system frames such as `ping` included); `bytes` is its payload size. */
  messageReceived?(path: string, bytes: number): void;
  /**
   * A frame was handed to the socket. Called for every frame, so keep it cheap (an increment).
   * Only connections accepted after this hook was added are counted.
   */
  frameSent?(path: string, bytes: number): void;
  /**
   * An error: an `error` frame sent to a client (its `code`), or a connection error reported to
   * the path's `onError` (`SLOW_CONSUMER`, `PONG_TIMEOUT`, `MESSAGE_TOO_LARGE`, …). Codes outside
   * the error table arrive as `"OTHER"`.
   */
  error?(path: string, code: string): void;
  /** A streaming channel started on `path` (an agent `stream` request). */
  streamStarted?(path: string): void;
  /** A stream sent a `chunk` frame. */
  streamChunk?(path: string): void;
  streamEnded?(event: StreamEndedEvent): void;
  /** A stream paused its producer because the client's socket had more queued than `bufferSize`. */
  backpressure?(path: string): void;
  /** A heartbeat ping was answered after `latencyMs` milliseconds. */
  heartbeat?(path: string, latencyMs: number): void;
}
