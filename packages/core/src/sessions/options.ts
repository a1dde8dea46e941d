/**
 * The `sessions` option of the connection manager (issue 10: seed 002's session transfer, seed
 * 003's offline queue), its defaults and the up-front checks that name a bad value.
 */

/** How sessions behave; `sessions: true` takes every default. */
export interface SessionsOptions {
  /** How long a dropped connection's session waits to be resumed before it is forgotten. @default 30000 */
  ttlMs?: number;
  /** Frames kept for a session while it is away; later ones are dropped (and counted). @default 1000 */
  maxFrames?: number;
  /** Bytes (UTF-8 text, binary as is) kept for a session while it is away. @default 1048576 */
  maxBytes?: number;
  /**
   * The HMAC key resume tokens are signed with: a string or bytes, at least 32 bytes long.
   * @default 32 random bytes per manager (tokens resume only on the instance that issued them)
   */
  secret?: string | Uint8Array;
  /** How long a resume token stays valid after it is issued (at connect, and on each resume). @default 86400000 (24 h) */
  tokenTtlMs?: number;
}

export interface ResolvedSessionsOptions {
  ttlMs: number;
  maxFrames: number;
  maxBytes: number;
  secret: Uint8Array;
  tokenTtlMs: number;
}

const DEFAULTS = { ttlMs: 30_000, maxFrames: 1000, maxBytes: 1024 * 1024, tokenTtlMs: 86_400_000 };
const MIN_SECRET_BYTES = 32;

/**
 * The resolved options, or `undefined` when sessions are off.
 * @throws {TypeError} naming the first bad `sessions.*` option.
 */
export function resolveSessionsOptions(
  value: boolean | SessionsOptions | undefined,
): ResolvedSessionsOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== "object" || value === null))
    throw new TypeError('The "sessions" option must be true, false or an options object');
  const options = value === true ? {} : value;
  const resolved = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const given = options[name];
    if (given === undefined) continue;
    if (!Number.isInteger(given) || given < 1)
      throw new TypeError(`The "sessions.${name}" option must be a positive integer`);
    resolved[name] = given;
  }
  return { ...resolved, secret: resolveSecret(options.secret) };
}

function resolveSecret(secret: string | Uint8Array | undefined): Uint8Array {
  if (secret === undefined) return crypto.getRandomValues(new Uint8Array(MIN_SECRET_BYTES));
  const bytes =
    typeof secret === "string"
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? secret.slice()
        : undefined;
  if (bytes === undefined || bytes.length < MIN_SECRET_BYTES)
    throw new TypeError(
      `The "sessions.secret" option must be a string or bytes of at least ${MIN_SECRET_BYTES} bytes`,
    );
  return bytes;
}
