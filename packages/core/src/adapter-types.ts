/**
 * The contract between core and an adapter. An adapter: (1) asks
 * `manager.authorizeUpgrade(request)` and answers a rejection with its HTTP status, (2) performs
 * the upgrade, (3) calls `manager.accept(socket, decision)` and forwards the socket's events to
 * the returned {@link ConnectionEvents}. That is all a fourth adapter would need.
 */
import type { AuthenticatedUser } from "./auth/types.ts";
import type { WebSocketConnectionError } from "./errors.ts";
import type { WebSocketData } from "./types.ts";

/** A handshake that may proceed. Pass it to `manager.accept()` once the socket is open. */
export interface UpgradeAccepted {
  ok: true;
  /** The path the connection is served on (its handler's path). */
  path: string;
  user?: AuthenticatedUser;
  remoteAddress?: string;
  /** First-message auth (`auth.firstMessage`): core holds the socket until its `auth` frame. */
  awaitingAuth?: true;
}

/** A handshake to refuse with `status` (401, 403, 404 or 503); `error.message` is a safe body. */
export interface UpgradeRejected {
  ok: false;
  status: number;
  error: WebSocketConnectionError;
}

export type UpgradeDecision = UpgradeAccepted | UpgradeRejected;

/** What an adapter forwards from the socket to core. */
export interface ConnectionEvents {
  /** The connection's id (the same as `connection.id`). */
  readonly id: string;
  /** A frame arrived. `isBinary` tells text from binary when the data comes as bytes. */
  message(data: WebSocketData, isBinary: boolean): void;
  /** A pong frame arrived. */
  pong(): void;
  /** The socket closed (for any reason). Safe to call more than once. */
  close(code: number, reason: string): void;
  /** The transport reported an error. */
  error(error: unknown): void;
}
