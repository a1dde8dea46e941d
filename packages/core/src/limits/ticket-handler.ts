/**
 * `POST {basePath}/auth/websocket` (seed 003) as a web-standard handler: authenticates the request
 * exactly as the manager authenticates a handshake and answers a single-use `{ ticket, expiresAt }`
 * for `?ticket=` on the upgrade.
 */
import { isJsonContentType, readJsonBody } from "../agent/http-body.ts";
import type { AuthResult } from "../auth/authenticate.ts";
import type { WebSocketConnectionManager } from "../connection-manager.ts";
import { ERRORS, WebSocketConnectionError, type KnownErrorCode } from "../errors.ts";
import { JSON_CONTENT_TYPE, jsonResponse, refusalBody, refusalStatus } from "../http-response.ts";
import { limitsOf } from "./connection-limits.ts";
import { credentialRequest } from "./first-message.ts";

/** Largest body the ticket route reads (a `{ token }` the seed's clients send). */
const MAX_BODY = 64 * 1024;

const refuse = (code: KnownErrorCode, message: string) =>
  jsonResponse(refusalStatus({ code, message }), refusalBody({ code, message }));

/**
 * The ticket route of `manager`. Credentials are read as the handshake reads them (header, query
 * parameter); a JSON body `{ "token": "…" }` is taken as the header's credential when the request
 * carries none. Answers 200 `{ ticket, expiresAt }` (ms since epoch), 401/403 as the handshake
 * would, 403 for a browser `Origin` outside `allowedOrigins`, 404 when tickets are off (no auth, or
 * `tickets: false`), 503 while shutting down or while the ticket store is unreachable.
 * @example
 * const tickets = createTicketHandler(manager);
 * app.post("/api/auth/websocket", (c) => tickets(c.req.raw)); // Hono
 */
export function createTicketHandler(
  manager: WebSocketConnectionManager,
): (request: Request) => Promise<Response> {
  const limits = limitsOf(manager);
  if (limits === undefined)
    throw new TypeError('The "manager" option must be a WebSocketConnectionManager');
  return async (request) => {
    if (manager.shuttingDown) return refuse("SHUTTING_DOWN", ERRORS.SHUTTING_DOWN.message);
    if (!limits.ticketsEnabled) return refuse("NOT_FOUND", "Tickets are not enabled");
    const { allowedOrigins, auth: config } = manager.config;
    const origin = request.headers.get("origin");
    if (allowedOrigins && origin !== null && !allowedOrigins.includes("*"))
      if (!allowedOrigins.includes(origin))
        return refuse("ORIGIN_NOT_ALLOWED", `Origin ${origin} is not allowed`);
    let auth: AuthResult = await manager.authenticate({
      url: request.url,
      headers: request.headers,
    });
    if (!auth.ok && auth.missing && isJsonContentType(request.headers.get("content-type"))) {
      const body = await readJsonBody(request, MAX_BODY);
      const token = body.ok ? (body.value as { token?: unknown } | null)?.token : undefined;
      if (typeof token === "string" && token !== "")
        auth = await manager.authenticate(
          credentialRequest(config!, token, new URL(request.url).pathname),
        );
    }
    if (!auth.ok) return jsonResponse(refusalStatus(auth.error), refusalBody(auth.error));
    if (auth.user === undefined)
      return refuse("UNAUTHORIZED", "A ticket needs an authenticated user");
    try {
      const issued = await limits.issue(auth.user);
      const headers = { "content-type": JSON_CONTENT_TYPE, "cache-control": "no-store" };
      return new Response(JSON.stringify(issued), { status: 200, headers });
    } catch (cause) {
      const error = new WebSocketConnectionError("Tickets cannot be issued right now", {
        code: "BROKER_UNAVAILABLE",
        cause,
      });
      return jsonResponse(refusalStatus(error), refusalBody(error));
    }
  };
}
