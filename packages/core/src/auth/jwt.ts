/**
 * JWT verification with `jose`: a verified token becomes an {@link AuthenticatedUser}.
 */
import {
  createRemoteJWKSet,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type CryptoKey,
} from "jose";
import type { AuthenticatedUser, JwtOptions } from "./types.ts";

type Key = Uint8Array | CryptoKey | JWTVerifyGetKey;

/**
 * Builds a verifier for the given options.
 * @throws {TypeError} when none or several of `secret`, `publicKey`, `jwksUrl` are given.
 */
export function createJwtVerifier(
  options: JwtOptions,
): (token: string) => Promise<AuthenticatedUser | null> {
  const sources = [options.secret, options.publicKey, options.jwksUrl].filter(
    (v) => v !== undefined,
  );
  if (sources.length !== 1) {
    throw new TypeError('auth.jwt needs exactly one of "secret", "publicKey" or "jwksUrl"');
  }
  const verifyOptions: JWTVerifyOptions = {};
  if (options.issuer !== undefined) verifyOptions.issuer = options.issuer;
  if (options.audience !== undefined) verifyOptions.audience = options.audience;
  if (options.algorithms !== undefined) verifyOptions.algorithms = options.algorithms;
  if (options.clockTolerance !== undefined) verifyOptions.clockTolerance = options.clockTolerance;

  let key: Promise<Key>;
  if (options.jwksUrl !== undefined) {
    key = Promise.resolve(createRemoteJWKSet(new URL(options.jwksUrl)));
  } else if (options.publicKey !== undefined) {
    const alg = options.algorithms?.[0] ?? "RS256";
    key = importSPKI(options.publicKey, alg);
  } else {
    const secret = options.secret!;
    key = Promise.resolve(typeof secret === "string" ? new TextEncoder().encode(secret) : secret);
  }
  // An unusable public key must fail at the first handshake, not as an unhandled rejection now.
  key.catch(() => {});

  return async (token) => {
    try {
      const resolved = await key;
      const { payload } =
        typeof resolved === "function"
          ? await jwtVerify(token, resolved, verifyOptions)
          : await jwtVerify(token, resolved, verifyOptions);
      return userFromClaims(payload);
    } catch {
      return null;
    }
  };
}

function stringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (typeof value === "string") return value.split(" ").filter(Boolean);
  return undefined;
}

/** Maps standard and common claims: `sub`, `email`, `name`, `roles`/`role`, `permissions`/`scope`. */
export function userFromClaims(claims: JWTPayload): AuthenticatedUser | null {
  if (typeof claims.sub !== "string" || claims.sub === "") return null;
  const user: AuthenticatedUser = { id: claims.sub, metadata: { claims } };
  if (typeof claims.email === "string") user.email = claims.email;
  if (typeof claims.name === "string") user.name = claims.name;
  const roles = stringList(claims.roles ?? claims.role);
  if (roles) user.roles = roles;
  const permissions = stringList(claims.permissions ?? claims.scope);
  if (permissions) user.permissions = permissions;
  return user;
}
