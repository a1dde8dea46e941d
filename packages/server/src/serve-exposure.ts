/**
 * Who can reach `agentsocket serve`: the browser origins it accepts (its own page, plus those
 * `AGENTSOCKET_ALLOWED_ORIGINS` lists) and the warning for a server open beyond this machine
 * without auth.
 */
import { SAME_ORIGIN, type AuthConfig } from "@agentsocket/core";

/**
 * The `allowedOrigins` of `serve`: the page's own origin, every origin listed in
 * `AGENTSOCKET_ALLOWED_ORIGINS` (`*` allows any), and the Socket.IO CORS origins (a page allowed
 * to long-poll may use the WebSocket transport too).
 * @param listed the items of `AGENTSOCKET_ALLOWED_ORIGINS`.
 * @param socketioCors the items of `AGENTSOCKET_SOCKETIO_CORS`.
 * @throws {TypeError} naming `AGENTSOCKET_ALLOWED_ORIGINS` for an item that is not an origin.
 */
export function serveOrigins(listed: string[], socketioCors: string[]): string[] {
  const origins = listed.map((item) => {
    const origin = item === "*" ? item : asOrigin(item);
    if (origin === undefined) {
      throw new TypeError(
        `AGENTSOCKET_ALLOWED_ORIGINS must list origins like https://app.example.com (got ${JSON.stringify(item)})`,
      );
    }
    return origin;
  });
  return [...new Set([SAME_ORIGIN, ...origins, ...socketioCors])];
}

/** `value` as browsers send it in `Origin` (lower case, no default port), if it is an origin. */
function asOrigin(value: string): string | undefined {
  const url = URL.parse(value);
  const bare = url !== null && /^https?:$/.test(url.protocol) && /^[^/]+\/\/[^/]+$/.test(value);
  return bare ? url.origin : undefined;
}

/** Whether `host` names this machine only (IPv4 127/8, `::1`, `localhost`). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * The one-line warning for a server listening beyond loopback without auth, or `undefined`.
 */
export function exposureWarning(host: string, auth: AuthConfig): string | undefined {
  if (isLoopback(host) || auth.strategy !== "none") return undefined;
  return (
    `agentsocket: warning: listening on ${host} without auth — anyone who can reach this port ` +
    "can use the agent; set AGENTSOCKET_API_KEYS or AGENTSOCKET_JWT_SECRET"
  );
}
