/**
 * Public types shared by the connection manager, the adapters and user handlers.
 */
import type { AuthConfig, AuthenticatedUser } from "./auth/types.ts";
import type { ConnectionWork } from "./drain.ts";
import type { SessionsOptions } from "./sessions/options.ts";
import type { MessageBroker } from "./cluster/broker.ts";
import type { LimitsConfig } from "./limits/options.ts";
import type { Instrumentation } from "./instrumentation/instrumentation.ts";
import type { CompressionOptions } from "./compression.ts";
import type { RoomsOptions } from "./rooms/options.ts";
import type { HandlerOptions } from "./path-options.ts";
import type { PreparedFrame } from "./frame-data.ts";
import type { ChunkPrefix } from "./chunk-frame.ts";

/** The data a frame carries. */
export type WebSocketData = string | ArrayBuffer | Uint8Array;

/**
 * What core needs from a live socket. Every adapter hands core one of these; `ws`, Hono's
 * `WSContext.raw`, Bun and Deno sockets all fit with at most a few lines of glue.
 */
export interface SocketLike {
  /** Sends one frame: strings as text frames, bytes as binary frames. */
  send(data: WebSocketData): void;
  /**
   * Optional: the same as `send(frame.data)`, but may write `frame.bytes` (the whole frame, built
   * once per fan-out message) as they are. Only for a socket that puts raw frames on the wire in
   * order with its other frames; one that negotiated permessage-deflate must send `frame.data`
   * instead. Without it, fan-out uses `send`.
   */
  sendFrame?(frame: PreparedFrame): void;
  /**
   * Optional: the same as `send(prefix.frame(seq, content))` (a stream's `chunk` frame), for a
   * socket that can encode the frame without building it as a string first. Returns the payload's
   * size in bytes. Without it, streams send chunk frames with `send`.
   */
  sendChunk?(prefix: ChunkPrefix, seq: number, content: string): number;
  close(code?: number, reason?: string): void;
  /** Sends a protocol-level ping. Without it, core sends JSON `{type:"ping"}` frames instead. */
  ping?(): void;
  /** Drops the connection without a closing handshake (dead peers). */
  terminate?(): void;
  /**
   * Stops reading from the network (`ws`: `pause()`); with `resume()`, lets core hold back a
   * connection that sends more than `maxFramesPerTurn` frames at once. Without them, every frame
   * is handled as it arrives.
   */
  pause?(): void;
  /** Reads from the network again after `pause()`. */
  resume?(): void;
  /** 0 connecting, 1 open, 2 closing, 3 closed (the WHATWG values). */
  readonly readyState: number;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
}

/** The `readyState` value of an open socket. */
export const OPEN = 1;

/** A live connection, as handlers see it. */
export interface WebSocketConnection {
  /** Unique connection identifier. */
  readonly id: string;
  /** The underlying socket (a {@link SocketLike}). */
  readonly socket: SocketLike;
  /** The authenticated user, when auth identified one. */
  readonly user?: AuthenticatedUser;
  /** Free-form metadata; `path` and `query` are set by agentsocket. */
  metadata: Record<string, unknown> & { path: string };
  /** When the connection opened (ms since epoch). */
  readonly createdAt: number;
  /** When the last frame arrived (ms since epoch). */
  lastActivity: number;
  /** The session this connection carries, when the manager has `sessions` on. */
  readonly sessionId?: string;
  /** Round trip (ms) of the last heartbeat ping the peer answered; absent until one was. */
  latency?: number;
}

export type WebSocketMessageType = "text" | "binary" | "ping" | "pong" | "close";

/** An incoming message. Text frames carry a string, binary frames an `ArrayBuffer`. */
export interface WebSocketMessage {
  type: WebSocketMessageType;
  data: string | ArrayBuffer;
  timestamp: number;
}

/**
 * Callbacks for one path. Each may be async, and what it returns is ignored (so
 * `onMessage: (c, m) => manager.send(c.id, m.data)` is fine); a throw or a rejection goes to
 * `onError` and never takes down the process or other connections.
 */
export interface WebSocketHandler {
  onOpen?: (connection: WebSocketConnection) => unknown;
  onMessage?: (connection: WebSocketConnection, message: WebSocketMessage) => unknown;
  onClose?: (connection: WebSocketConnection, code: number, reason: string) => unknown;
  onError?: (connection: WebSocketConnection, error: Error) => unknown;
  /**
   * Called once per connection when the manager drains (`manager.drain()`,
   * `server.stop({ graceMs })`): return the connection's running work, or nothing when it is idle
   * (it then closes with 1012 at once). From this call on, refuse new requests on it; when
   * `deadline` aborts (at `graceMs`), end the work, terminal frames first.
   */
  onDrain?: (connection: WebSocketConnection, deadline: AbortSignal) => ConnectionWork | undefined;
  /** The peer answered a heartbeat ping after `latency` ms (seed 000's `heartbeat` event). */
  onHeartbeat?: (connection: WebSocketConnection, latency: number) => unknown;
  /** What `registerHandler` applies when given no options (e.g. the chat handler's). */
  pathOptions?: HandlerOptions;
}

/** Configuration of a {@link WebSocketConnectionManager}. */
export interface WebSocketConfig extends LimitsConfig {
  /** Path served when no handler is registered for another one. @default "/ws" */
  path?: string;
  /** Connections open at once; the next handshake gets HTTP 503. @default 1000 */
  maxConnections?: number;
  /** Milliseconds between pings; 0 disables the heartbeat. @default 30000 */
  pingInterval?: number;
  /** Milliseconds to wait for a pong before the peer is terminated. @default 10000 */
  pongTimeout?: number;
  /** Largest incoming frame in bytes; a larger one closes the connection with 1009. @default 1048576 */
  maxMessageSize?: number;
  /** Who may connect. @default { strategy: "none" } */
  auth?: AuthConfig;
  /**
   * Browser origins allowed to connect (WebSocket and the HTTP agent routes); another `Origin`
   * gets HTTP 403 `ORIGIN_NOT_ALLOWED`. `"*"` allows any; `"same-origin"` ({@link SAME_ORIGIN})
   * allows pages served by this host and port (the request's `Host`). Requests without `Origin`
   * (non-browser clients) are always allowed. `agentsocket serve` uses `["same-origin", ...]`.
   * @default undefined (any)
   */
  allowedOrigins?: string[];
  /**
   * Send the `{type:"connected"}` frame on open and answer JSON `{type:"ping"}` frames with
   * `{type:"pong"}`. Turn off for sockets that speak a protocol of their own. @default true
   */
  systemFrames?: boolean;
  /**
   * Metrics hooks (one, or several) core calls as connections, frames and streams come and go;
   * see `docs/metrics.md`. `manager.addInstrumentation()` adds more later. @default undefined (none)
   */
  instrumentation?: Instrumentation | Instrumentation[];
  /**
   * Bytes one connection may have queued unsent (its socket's `bufferedAmount`) when another
   * frame is sent to it. Past it the frame is dropped, the connection is closed with 1008 and the
   * path's `onError` receives a `WebSocketError` with code `SLOW_CONSUMER`: a peer that stops
   * reading cannot make the server queue without limit. Streams pause long before this (their
   * own `bufferSize`); it catches replies, broadcasts and handler sends. Before it, a connection
   * with more than 256 KiB (or half of this, if less) unsent is no longer read until its queue
   * drains to half of that, so a client that sends requests without reading their answers is held
   * back rather than answered into a pile (needs `pause()`/`resume()`, like `maxFramesPerTurn`).
   * @default 4194304 (4 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * Frames of one connection handled per event-loop turn. Past it, reading that connection
   * pauses until the next turn (its frames are all handled, in order), so a client sending
   * thousands of frames at once cannot keep other clients waiting. Needs a socket with
   * `pause()`/`resume()` (`ws`, so every Node binding). @default 32
   */
  maxFramesPerTurn?: number;
  /** Milliseconds `close()`/`closeAll()` wait for the closing handshake before terminating. @default 2000 */
  closeTimeout?: number;
  /** Room limits and who may join from the client side (`{type:"join"}` frames). */
  rooms?: RoomsOptions;
  /**
   * Carries room, user, connection and broadcast sends to the other instances of a cluster, and
   * keeps cluster presence (`createRedisBroker()` from `@agentsocket/redis`).
   * @default createMemoryBroker() (one process)
   */
  broker?: MessageBroker;
  /**
   * Sessions that outlive a dropped connection: `connected` carries `sessionId` and a
   * `resumeToken`, and `{type:"session_resume", payload:{token}}` on a new connection of the same
   * user restores its rooms and delivers what was sent to it while away (bounded). Per instance.
   * `createServer` turns it on with `agent.resume`. @default false
   */
  sessions?: boolean | SessionsOptions;
  /**
   * Negotiate permessage-deflate (RFC 7692) with clients that offer it: `true` takes the
   * defaults, an object tunes them. Costs CPU and per-connection memory; saves bandwidth.
   * @default false
   */
  compression?: boolean | CompressionOptions;
}
