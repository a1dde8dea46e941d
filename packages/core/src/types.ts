/**
 * Public types shared by the connection manager, the adapters and user handlers.
 */
import type { AuthConfig, AuthenticatedUser } from "./auth/types.ts";
import type { MessageBroker } from "./cluster/broker.ts";
import type { RoomsOptions } from "./rooms/options.ts";
import type { HandlerOptions } from "./path-options.ts";

/** The data a frame carries. */
export type WebSocketData = string | ArrayBuffer | Uint8Array;

/**
 * What core needs from a live socket. Every adapter hands core one of these; `ws`, Hono's
 * `WSContext.raw`, Bun and Deno sockets all fit with at most a few lines of glue.
 */
export interface SocketLike {
  /** Sends one frame: strings as text frames, bytes as binary frames. */
  send(data: WebSocketData): void;
  close(code?: number, reason?: string): void;
  /** Sends a protocol-level ping. Without it, core sends JSON `{type:"ping"}` frames instead. */
  ping?(): void;
  /** Drops the connection without a closing handshake (dead peers). */
  terminate?(): void;
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
  /** What `registerHandler` applies when given no options (e.g. the chat handler's). */
  pathOptions?: HandlerOptions;
}

/** Configuration of a {@link WebSocketConnectionManager}. */
export interface WebSocketConfig {
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
  /** Browser origins allowed to connect; another `Origin` gets HTTP 403. @default undefined (any) */
  allowedOrigins?: string[];
  /**
   * Send the `{type:"connected"}` frame on open and answer JSON `{type:"ping"}` frames with
   * `{type:"pong"}`. Turn off for sockets that speak a protocol of their own. @default true
   */
  systemFrames?: boolean;
  /**
   * Bytes one connection may have queued unsent (its socket's `bufferedAmount`) when another
   * frame is sent to it. Past it the frame is dropped, the connection is closed with 1008 and the
   * path's `onError` receives a `WebSocketError` with code `SLOW_CONSUMER`: a peer that stops
   * reading cannot make the server queue without limit. Streams pause long before this (their
   * own `bufferSize`); it catches replies, broadcasts and handler sends. @default 4194304 (4 MiB)
   */
  maxBufferedBytes?: number;
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
}
