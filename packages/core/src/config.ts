/**
 * Defaults for {@link WebSocketConfig} and the up-front checks that name a bad option.
 */
import { checkCompression } from "./compression.ts";
import type { WebSocketConfig } from "./types.ts";

/** The defaults every option falls back to. */
export const DEFAULTS = {
  path: "/ws",
  maxConnections: 1000,
  pingInterval: 30_000,
  pongTimeout: 10_000,
  maxMessageSize: 1024 * 1024,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxFramesPerTurn: 32,
  systemFrames: true,
  closeTimeout: 2000,
} as const;

/** A config with every defaulted option filled in. */
export type ResolvedConfig = Omit<WebSocketConfig, keyof typeof DEFAULTS> & {
  -readonly [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends boolean
    ? boolean
    : (typeof DEFAULTS)[K] extends number
      ? number
      : string;
};

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`The "${name}" option must be an integer >= ${min} (got ${String(value)})`);
  }
}

/**
 * Merges the user's config over {@link DEFAULTS} into a new object.
 * @throws {TypeError} naming the first option that is out of range.
 */
export function resolveConfig(config: WebSocketConfig = {}): ResolvedConfig {
  const resolved: ResolvedConfig = { ...DEFAULTS };
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  if (typeof resolved.path !== "string" || !resolved.path.startsWith("/")) {
    throw new TypeError(
      `The "path" option must start with "/" (got ${JSON.stringify(resolved.path)})`,
    );
  }
  checkCount("maxConnections", resolved.maxConnections, 1);
  checkCount("pingInterval", resolved.pingInterval, 0);
  checkCount("pongTimeout", resolved.pongTimeout, 1);
  checkCount("maxMessageSize", resolved.maxMessageSize, 1);
  checkCount("maxBufferedBytes", resolved.maxBufferedBytes, 1);
  checkCount("maxFramesPerTurn", resolved.maxFramesPerTurn, 1);
  checkCount("closeTimeout", resolved.closeTimeout, 0);
  checkCompression(resolved.compression);
  if (resolved.allowedOrigins !== undefined && !Array.isArray(resolved.allowedOrigins)) {
    throw new TypeError('The "allowedOrigins" option must be an array of origins');
  }
  return resolved;
}
