/**
 * Handshake authentication: one function per configured strategy, built once and checked up
 * front, run before the upgrade so failures are HTTP statuses, never a 101 followed by a close.
 */
import { WebSocketConnectionError } from "../errors.ts";
import { timingSafeEqual } from "./constant-time.ts";
import { createJwtVerifier } from "./jwt.ts";
import { readHeaderValues, readQuery } from "../request.ts";
import type {
  AuthConfig,
  AuthenticatedUser,
  CredentialValidator,
  TokenAuthConfig,
  UpgradeRequest,
} from "./types.ts";

/**
 * The outcome of authenticating a handshake. `missing`: the refusal is for carrying no
 * credentials at all (first-message auth may still let the socket in).
 */
export type AuthResult =
  | { ok: true; user?: AuthenticatedUser }
  | { ok: false; error: WebSocketConnectionError; missing?: true };

/** Authenticates one handshake request. */
export type Authenticator = (request: UpgradeRequest) => Promise<AuthResult>;

const ANONYMOUS: AuthResult = { ok: true };

const unauthorized = (message: string) => ({
  ok: false as const,
  error: new WebSocketConnectionError(message, { code: "UNAUTHORIZED" }),
});

const forbidden = (message: string) => ({
  ok: false as const,
  error: new WebSocketConnectionError(message, { code: "FORBIDDEN" }),
});

/**
 * Builds the authenticator for an {@link AuthConfig}.
 * @throws {TypeError} when the configuration cannot work (e.g. `bearer` without `validate` or `jwt`).
 */
export function createAuthenticator(config: AuthConfig = { strategy: "none" }): Authenticator {
  if (config.strategy === "none") return async () => ANONYMOUS;

  const identify =
    config.strategy === "custom" ? customIdentity(config.validate) : tokenIdentity(config);
  const required = config.required ?? true;
  const { roles, permissions } = config;

  return async (request) => {
    let outcome: AuthenticatedUser | null | "missing" | "ambiguous";
    try {
      outcome = await identify(request);
    } catch {
      // A validator that throws is treated as a rejection: verifyJWT-style helpers throw on bad tokens.
      outcome = null;
    }
    if (outcome === "missing")
      return required ? { ...unauthorized("Authentication required"), missing: true } : ANONYMOUS;
    if (outcome === "ambiguous") return unauthorized("Ambiguous credentials");
    if (
      outcome === null ||
      typeof outcome !== "object" ||
      typeof outcome.id !== "string" ||
      outcome.id === ""
    ) {
      return unauthorized("Invalid credentials");
    }
    // Claims from other systems are not always arrays (Keycloak's roles object): no array, no role.
    const held = (list: unknown) => (Array.isArray(list) ? list : []);
    if (roles?.length && !roles.some((role) => held(outcome.roles).includes(role))) {
      return forbidden(`Requires one of the roles: ${roles.join(", ")}`);
    }
    if (permissions?.length && !permissions.every((p) => held(outcome.permissions).includes(p))) {
      return forbidden(`Requires the permissions: ${permissions.join(", ")}`);
    }
    return { ok: true, user: outcome };
  };
}

type Identify = (
  request: UpgradeRequest,
) => Promise<AuthenticatedUser | null | "missing" | "ambiguous">;

function customIdentity(validate: (request: UpgradeRequest) => unknown): Identify {
  if (typeof validate !== "function") {
    throw new TypeError('auth.validate must be a function for strategy "custom"');
  }
  return async (request) => {
    const user = (await validate(request)) as AuthenticatedUser | null | undefined;
    // `undefined` means "no credentials here", so `required` decides; `null` means "invalid".
    return user === undefined ? "missing" : user;
  };
}

const DEFAULT_HEADER = { bearer: "authorization", basic: "authorization", apiKey: "x-api-key" };
const DEFAULT_QUERY = { bearer: "token", basic: undefined, apiKey: "apiKey" };

function tokenIdentity(config: TokenAuthConfig): Identify {
  const { strategy } = config;
  if (!(strategy in DEFAULT_HEADER)) {
    throw new TypeError(
      `auth.strategy must be one of bearer, apiKey, basic, custom, none (got "${strategy}")`,
    );
  }
  const validate = credentialValidator(config);
  const headerName = config.headerName ?? DEFAULT_HEADER[strategy];
  const queryParam = config.queryParam ?? DEFAULT_QUERY[strategy];
  const scheme = strategy === "apiKey" ? undefined : strategy === "bearer" ? "bearer " : "basic ";

  return async (request) => {
    // Every credential the request carries, by header (each value) and by query (each value):
    // the WebSocket and the HTTP routes read them alike, and two different ones are refused
    // instead of one being picked (issue 8, hole 10). Values with another scheme are not ours.
    const found = new Set<string>();
    for (const value of readHeaderValues(request, headerName)) {
      if (scheme === undefined) found.add(value);
      else if (value.toLowerCase().startsWith(scheme)) {
        const token = value.slice(scheme.length).trim();
        if (token) found.add(token);
      }
    }
    if (queryParam)
      for (const value of readQuery(request).getAll(queryParam)) if (value) found.add(value);
    if (found.size > 1) return "ambiguous";
    let credential: string | undefined = found.values().next().value;
    if (credential === undefined) return "missing";
    if (strategy === "basic") {
      credential = decodeBasic(credential);
      if (credential === undefined) return null;
    }
    return (await validate(credential, request)) ?? null;
  };
}

function credentialValidator(config: TokenAuthConfig): CredentialValidator {
  const { strategy, validate, jwt, apiKeys } = config;
  if (validate !== undefined && typeof validate !== "function") {
    throw new TypeError("auth.validate must be a function");
  }
  if (jwt !== undefined && strategy !== "bearer") {
    throw new TypeError('auth.jwt applies to strategy "bearer" only');
  }
  if (apiKeys !== undefined && strategy !== "apiKey") {
    throw new TypeError('auth.apiKeys applies to strategy "apiKey" only');
  }
  const checks = [validate, jwt, apiKeys].filter((v) => v !== undefined).length;
  if (checks !== 1) {
    const what =
      strategy === "bearer"
        ? '"validate" or "jwt"'
        : strategy === "apiKey"
          ? '"validate" or "apiKeys"'
          : '"validate"';
    throw new TypeError(`auth for strategy "${strategy}" needs exactly one of ${what}`);
  }
  if (validate) return validate;
  if (jwt) {
    const verify = createJwtVerifier(jwt);
    return (token) => verify(token);
  }
  return staticKeyValidator(apiKeys!);
}

function staticKeyValidator(apiKeys: NonNullable<TokenAuthConfig["apiKeys"]>): CredentialValidator {
  const entries = Array.isArray(apiKeys)
    ? apiKeys.map((key, i) => [key, { id: `api-key-${i + 1}` }] as const)
    : Object.entries(apiKeys).map(
        ([key, user], i) => [key, { id: `api-key-${i + 1}`, ...user }] as const,
      );
  if (entries.length === 0) throw new TypeError("auth.apiKeys must hold at least one key");
  return async (credential) => {
    // Compare against every key, so the time taken does not reveal which one matched.
    const matches = await Promise.all(entries.map(([key]) => timingSafeEqual(credential, key)));
    const index = matches.indexOf(true);
    return index === -1 ? null : { ...entries[index]![1] };
  };
}

function decodeBasic(encoded: string): string | undefined {
  try {
    const decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)),
    );
    return decoded.includes(":") ? decoded : undefined;
  } catch {
    return undefined;
  }
}
