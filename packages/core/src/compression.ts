/**
 * permessage-deflate (RFC 7692) as an option: core checks `compression` and turns it into the
 * plain options object a `ws` server takes, so every adapter negotiates it the same way while
 * core itself never imports `ws`.
 */

/** How frames are compressed when `compression` is on. */
export interface CompressionOptions {
  /**
   * Frames smaller than this many bytes are sent uncompressed. Token chunks are small; with the
   * compression context kept between frames they still shrink a lot, so the default is low.
   * @default 64
   */
  threshold?: number;
  /** zlib level, 0 (store) to 9 (smallest, slowest). @default 1 */
  level?: number;
  /**
   * zlib `memLevel`, 1–9: the deflate state each connection keeps (about 2^(memLevel+9) bytes,
   * plus the 32 KiB window). @default 8
   */
  memLevel?: number;
}

/** The defaults of {@link CompressionOptions}. */
export const COMPRESSION_DEFAULTS = { threshold: 64, level: 1, memLevel: 8 } as const;

/** The `perMessageDeflate` option of a `ws` `WebSocketServer`. */
export type PerMessageDeflateOptions =
  | false
  | {
      threshold: number;
      zlibDeflateOptions: { level: number; memLevel: number };
      /** Simultaneous zlib calls per process (ws's default). */
      concurrencyLimit: number;
    };

/**
 * Checks a `compression` option.
 * @throws {TypeError} naming the field that is out of range.
 */
export function checkCompression(compression: unknown): void {
  if (compression === undefined || typeof compression === "boolean") return;
  if (typeof compression !== "object" || compression === null || Array.isArray(compression))
    throw new TypeError('The "compression" option must be true, false or { threshold, level }');
  const options = compression as Record<string, unknown>;
  const ranges = { threshold: [0, 2 ** 31], level: [0, 9], memLevel: [1, 9] } as const;
  for (const [name, [min, max]] of Object.entries(ranges)) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
      throw new TypeError(
        `The "compression.${name}" option must be an integer from ${min} to ${max} (got ${String(value)})`,
      );
  }
}

/**
 * The `perMessageDeflate` option for a `ws` server from a manager's `compression` option:
 * `false` when off (nothing is negotiated), the server's deflate settings when on. Compression
 * is offered back only to clients that ask for it in `Sec-WebSocket-Extensions`.
 */
export function perMessageDeflate(
  compression: boolean | CompressionOptions | undefined,
): PerMessageDeflateOptions {
  if (!compression) return false;
  const options = { ...COMPRESSION_DEFAULTS, ...(compression === true ? {} : compression) };
  return {
    threshold: options.threshold,
    zlibDeflateOptions: { level: options.level, memLevel: options.memLevel },
    concurrencyLimit: 10,
  };
}

/**
 * Everything a `ws` `WebSocketServer` needs from a manager's config: the largest frame and
 * permessage-deflate. Adapters spread it into their server's options.
 * @example
 * const wss = new WebSocketServer({ noServer: true, ...wsServerOptions(manager.config) });
 */
export function wsServerOptions(config: {
  readonly maxMessageSize: number;
  readonly compression?: boolean | CompressionOptions | undefined;
}): { maxPayload: number; perMessageDeflate: PerMessageDeflateOptions } {
  return {
    maxPayload: config.maxMessageSize,
    perMessageDeflate: perMessageDeflate(config.compression),
  };
}
