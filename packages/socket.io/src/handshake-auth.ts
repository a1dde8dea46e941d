/**
 * Authenticating a Socket.IO handshake with the same {@link AuthConfig} as `/ws`. Browsers put
 * the credential in `auth.token` (seed 001: `io(url, { auth: { token } })`); it is presented to
 * core's authenticator where the strategy looks for it (the `Authorization` header for bearer and
 * basic, the API-key header for apiKey), so non-browser clients can keep sending that header or
 * the query parameter instead. A refusal reaches the client as `connect_error` with the message
 * `unauthorized` or `forbidden` and `data: { code, message }`.
 */
import {
  WebSocketConnectionManager,
  type AuthConfig,
  type AuthenticatedUser,
  type AuthResult,
  type UpgradeRequest,
  type RateLimitOptions,
} from "@agentsocket/core";
import { originProblem } from "@agentsocket/core/adapter";
import type { ExtendedError, Socket } from "socket.io";

/** Something that authenticates handshakes: a {@link WebSocketConnectionManager}, to share its auth. */
export interface HandshakeAuthority {
  authenticate(request: UpgradeRequest): Promise<AuthResult>;
  readonly config: {
    readonly auth?: AuthConfig;
    readonly allowedOrigins?: string[];
    readonly rateLimit?: RateLimitOptions;
  };
}

/** A `namespace.use()` middleware. */
export type Middleware = (socket: Socket, next: (error?: ExtendedError) => void) => void;

const AUTH_HEADER = { bearer: "authorization", basic: "authorization", apiKey: "x-api-key" };

/** `auth` as given, or a manager that only authenticates (no heartbeat runs without connections). */
export function authorityOf(auth: AuthConfig | HandshakeAuthority | undefined): HandshakeAuthority {
  if (auth !== undefined && typeof (auth as HandshakeAuthority).authenticate === "function") {
    return auth as HandshakeAuthority;
  }
  if (auth !== undefined && (typeof auth !== "object" || auth === null)) {
    throw new TypeError('The "auth" option must be an AuthConfig or a WebSocketConnectionManager');
  }
  return new WebSocketConnectionManager({ auth: auth as AuthConfig | undefined, pingInterval: 0 });
}

/** The handshake as core's authenticator reads it, `auth.token` placed where the strategy looks. */
export function handshakeRequest(
  handshake: Socket["handshake"],
  auth: AuthConfig | undefined,
): UpgradeRequest {
  const headers: Record<string, string | string[] | undefined> = { ...handshake.headers };
  const token: unknown = (handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof token === "string" && token !== "" && auth && auth.strategy !== "none") {
    if (auth.strategy === "apiKey") {
      headers[(auth.headerName ?? AUTH_HEADER.apiKey).toLowerCase()] = token;
    } else {
      const scheme = auth.strategy === "basic" ? "Basic" : "Bearer";
      const header = auth.strategy === "custom" ? undefined : auth.headerName;
      const value = /^(bearer|basic) /i.test(token) ? token : `${scheme} ${token}`;
      headers[(header ?? AUTH_HEADER.bearer).toLowerCase()] = value;
    }
  }
  const request: UpgradeRequest = { url: handshake.url, headers };
  if (handshake.address) request.remoteAddress = handshake.address;
  return request;
}

/** The error `next()` is given: the client sees `connect_error` with this message and data. */
export function refusal(code: string, message: string): ExtendedError {
  const forbidden = code === "FORBIDDEN" || code === "ORIGIN_NOT_ALLOWED";
  const error: ExtendedError = new Error(forbidden ? "forbidden" : "unauthorized");
  error.data = { code, message };
  return error;
}

/**
 * The namespace middleware: origin, then credentials. The user is kept in `users` and at
 * `socket.data.user` for the app's own handlers.
 */
export function createHandshakeMiddleware(
  authority: HandshakeAuthority,
  allowedOrigins: readonly string[] | undefined,
  users: WeakMap<Socket, AuthenticatedUser>,
): Middleware {
  return (socket, next) => {
    const { origin, host } = socket.handshake.headers;
    const foreign = originProblem(allowedOrigins, origin || undefined, host);
    if (foreign) return next(refusal("ORIGIN_NOT_ALLOWED", foreign));
    const request = handshakeRequest(socket.handshake, authority.config.auth);
    authority.authenticate(request).then(
      (result) => {
        if (!result.ok) return next(refusal(result.error.code, result.error.message));
        if (result.user) {
          users.set(socket, result.user);
          (socket.data as Record<string, unknown>).user = result.user;
        }
        next();
      },
      () => next(refusal("UNAUTHORIZED", "Invalid credentials")),
    );
  };
}
