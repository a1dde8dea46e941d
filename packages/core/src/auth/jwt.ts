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
import { createHmacJwtCheck, type HmacVerdict } from "./hmac-jwt.ts";
import type { AuthenticatedUser, JwtOptions } from "./types.ts";

type Key = Uint8Array | CryptoKey | JWTVerifyGetKey;

const HMAC = ["HS256", "HS384", "HS512"];
/** Every asymmetric JWS algorithm: what a public key or a JWKS may verify. */
const ASYMMETRIC = [
  ...["RS", "PS", "ES"].flatMap((family) => ["256", "384", "512"].map((n) => family + n)),
  "EdDSA",
  "Ed25519",
];

/**
 * The algorithms a key may verify (issue 8, hole 11): a secret only HMAC ones (HS256 unless
 * configured), a public key or JWKS only asymmetric ones, so a token can never pick an algorithm
 * the key was not meant for (an HMAC token "signed" with a public key, for one).
 */
function pinAlgorithms(options: JwtOptions): string[] {
  const secret = options.secret !== undefined;
  const family = secret ? HMAC : ASYMMETRIC;
  const { algorithms } = options;
  if (algorithms === undefined)
    return secret ? ["HS256"] : options.publicKey !== undefined ? ["RS256"] : [...ASYMMETRIC];
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every((alg) => family.includes(alg))
  ) {
    const source = secret
      ? "a secret"
      : options.publicKey !== undefined
        ? "a publicKey"
        : "a jwksUrl";
    throw new TypeError(
      `The "auth.jwt.algorithms" option must list algorithms for ${source}: ${family.join(", ")}`,
    );
  }
  return [...algorithms];
}

/**
 * Builds a verifier for the given options.
 * @throws {TypeError} when none or several of `secret`, `publicKey`, `jwksUrl` are given, or
 *   `algorithms` names one outside the key's family.
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
  if (options.requireExpiration !== undefined && typeof options.requireExpiration !== "boolean") {
    throw new TypeError('The "auth.jwt.requireExpiration" option must be a boolean');
  }
  const algorithms = pinAlgorithms(options);
  // Tokens without `exp` never expire; they are refused unless the application opts out.
  const verifyOptions: JWTVerifyOptions = {
    algorithms,
    ...(options.requireExpiration === false ? {} : { requiredClaims: ["exp"] }),
  };
  if (options.issuer !== undefined) verifyOptions.issuer = options.issuer;
  if (options.audience !== undefined) verifyOptions.audience = options.audience;
  if (options.clockTolerance !== undefined) verifyOptions.clockTolerance = options.clockTolerance;

  let key: Promise<Key>;
  let check: ((token: string) => HmacVerdict) | undefined;
  if (options.jwksUrl !== undefined) {
    key = Promise.resolve(createRemoteJWKSet(new URL(options.jwksUrl)));
  } else if (options.publicKey !== undefined) {
    key = importSPKI(options.publicKey, algorithms[0]!);
  } else {
    const secret = options.secret!;
    const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
    key = Promise.resolve(hmacKeys(bytes));
    // WebCrypto refuses an empty HMAC key, so every token is refused with one: left to jose.
    if (bytes.byteLength > 0) check = createHmacJwtCheck(bytes, verifyOptions);
  }
  // An unusable public key must fail at the first handshake, not as an unhandled rejection now.
  key.catch(() => {});

  return async (token) => {
    try {
      const verdict = check?.(token);
      if (verdict !== undefined) return verdict && userFromClaims(verdict);
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

/**
 * The secret imported once per HMAC algorithm. Given the bytes, `jose` imports a WebCrypto key
 * on every verification (a quarter of a handshake's JWT cost in a CPU profile); the algorithm is
 * checked against the pinned list before this is asked for a key.
 */
function hmacKeys(secret: Uint8Array): JWTVerifyGetKey {
  const bytes = new Uint8Array(secret);
  const keys = new Map<string, Promise<CryptoKey>>();
  return ({ alg }) => {
    let imported = keys.get(alg);
    if (imported === undefined) {
      const hash = { name: "HMAC", hash: `SHA-${alg.slice(2)}` };
      imported = crypto.subtle.importKey("raw", bytes, hash, false, ["verify"]);
      keys.set(alg, imported);
    }
    return imported;
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
