/**
 * HS256/384/512 JWTs checked with Node's synchronous HMAC. WebCrypto's `subtle.verify` is a job
 * queued to the thread pool and a promise per token — 20–50 µs of CPU where `createHmac` takes
 * 3–5 µs, and the largest item in a profile of JWT handshakes. Only the signature is checked
 * here; the claims are still `jose`'s to judge (through `UnsecuredJWT.decode`, which runs the
 * same claims check as `jwtVerify`), and any token out of the ordinary (a `crit` header, an
 * algorithm that is not pinned, malformed base64url) goes to `jwtVerify` itself, so every token
 * gets the verdict `jose` would give it.
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { UnsecuredJWT, type JWTPayload, type JWTVerifyOptions } from "jose";

/** The verdict on a token: its claims, `null` (refused), or `undefined` (ask `jwtVerify`). */
export type HmacVerdict = JWTPayload | null | undefined;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HASHES: Record<string, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };
const UNSECURED_HEADER = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Base64url that every decoder reads alike (no padding, no stray characters, no lone sextet). */
const canonical = (part: string | undefined): part is string =>
  part !== undefined && part.length % 4 !== 1 && BASE64URL.test(part);

/**
 * A verifier of HMAC-signed JWTs against `secret` for the `algorithms` pinned in `options`.
 * @returns the claims of a valid token, `null` for a refused one, `undefined` when `jwtVerify`
 *   must decide.
 */
export function createHmacJwtCheck(
  secret: Uint8Array,
  options: JWTVerifyOptions,
): (token: string) => HmacVerdict {
  const key = Buffer.from(secret);
  const pinned = new Set(options.algorithms);
  return (token) => {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts;
    if (!canonical(header) || !canonical(payload) || !canonical(signature)) return undefined;
    const alg = algorithmOf(header);
    if (alg === undefined || !pinned.has(alg)) return undefined;
    const expected = createHmac(HASHES[alg]!, key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      return UnsecuredJWT.decode(`${UNSECURED_HEADER}.${payload}.`, options).payload;
    } catch {
      return null;
    }
  };
}

/** The `alg` of a protected header with nothing else to check (no `crit`), or `undefined`. */
function algorithmOf(encoded: string): string | undefined {
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(Buffer.from(encoded, "base64url")));
  } catch {
    return undefined;
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return undefined;
  const { alg, crit } = header as { alg?: unknown; crit?: unknown };
  if (crit !== undefined || typeof alg !== "string" || !Object.hasOwn(HASHES, alg))
    return undefined;
  return alg;
}
