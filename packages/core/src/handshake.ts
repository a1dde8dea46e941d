/**
 * What refuses a handshake before anything is looked up: headers that do not make a WebSocket
 * handshake, and the shape of every refusal (the code's status from the error table).
 */
import type { UpgradeRejected } from "./adapter-types.ts";
import type { UpgradeRequest } from "./auth/types.ts";
import { ERRORS, WebSocketConnectionError, type KnownErrorCode } from "./errors.ts";
import { readHeader } from "./request.ts";
import type { WebSocketConnection } from "./types.ts";

/**
 * Why `request` is not a WebSocket handshake, judged by the headers a runtime may pass on: an
 * `Upgrade` to another protocol (h2c), or a `Connection` without the `upgrade` token (RFC 6455
 * §4.2.1). Runtimes that strip these hop-by-hop headers are not second-guessed.
 */
export function handshakeProblem(request: UpgradeRequest): string | undefined {
  const upgrade = readHeader(request.headers, "upgrade");
  if (upgrade !== undefined && upgrade.trim().toLowerCase() !== "websocket")
    return `Upgrade to ${JSON.stringify(upgrade.slice(0, 40))} is not supported; send the request without it`;
  const connection = readHeader(request.headers, "connection");
  if (connection !== undefined && !/(^|[\s,])upgrade($|[\s,])/i.test(connection))
    return 'A WebSocket handshake needs "Connection: Upgrade"';
  return undefined;
}

/** A refusal with `code`'s status from the error table. */
export function reject(code: KnownErrorCode, message: string): UpgradeRejected {
  return {
    ok: false,
    status: ERRORS[code].status,
    error: new WebSocketConnectionError(message, { code }),
  };
}

/**
 * What a handler's `onError` gets for a refused handshake: no connection exists yet, so a
 * stand-in with the path and no socket.
 */
export function refusalStandIn(path: string): WebSocketConnection {
  const now = Date.now();
  return {
    id: "",
    socket: undefined as never,
    metadata: { path },
    createdAt: now,
    lastActivity: now,
  };
}
