/**
 * Per-path settings: what `registerHandler(path, handler, options)` may change for the
 * connections of one path — system frames off for a protocol of its own (the AI SDK chat path),
 * and a frame size limit of its own. Everything else stays the manager's.
 */
import type { ResolvedConfig } from "./config.ts";

/** Options of `manager.registerHandler(path, handler, options)`. */
export interface HandlerOptions {
  /**
   * Send the `{type:"connected"}` frame on open, answer JSON `{type:"ping"}` frames and handle
   * `join`/`leave` on this path. Off, the path carries only its handler's own frames, and the
   * heartbeat uses protocol-level pings only (a socket without them gets no heartbeat).
   * @default the manager's `systemFrames`
   */
  systemFrames?: boolean;
  /**
   * Largest incoming frame on this path, in bytes; a larger one closes the connection with 1009.
   * @default the manager's `maxMessageSize`
   */
  maxMessageSize?: number;
}

/** The settings a connection of one path runs with: the manager's, overridden per path. */
export type PathSettings = Readonly<ResolvedConfig>;

/**
 * Checks `options` (falling back to `handler.pathOptions`) into a new object.
 * @throws {TypeError} naming the bad option.
 */
export function checkHandlerOptions(options: HandlerOptions | undefined): HandlerOptions {
  const checked: HandlerOptions = {};
  if (options === undefined) return checked;
  const { systemFrames, maxMessageSize } = options;
  if (systemFrames !== undefined) {
    if (typeof systemFrames !== "boolean") {
      throw new TypeError('registerHandler: the "systemFrames" option must be a boolean');
    }
    checked.systemFrames = systemFrames;
  }
  if (maxMessageSize !== undefined) {
    if (!Number.isInteger(maxMessageSize) || maxMessageSize < 1) {
      throw new TypeError(
        `registerHandler: the "maxMessageSize" option must be an integer >= 1 (got ${String(maxMessageSize)})`,
      );
    }
    checked.maxMessageSize = maxMessageSize;
  }
  return checked;
}

/** The manager's settings with one path's overrides. */
export function pathSettings(
  config: ResolvedConfig,
  options: HandlerOptions | undefined,
): PathSettings {
  if (options?.maxMessageSize === undefined && options?.systemFrames === undefined) return config;
  return {
    ...config,
    maxMessageSize: options.maxMessageSize ?? config.maxMessageSize,
    systemFrames: options.systemFrames ?? config.systemFrames,
  };
}

/** The checked options of each registered path. */
export class PathOptions {
  readonly #byPath = new Map<string, HandlerOptions>();

  /** @throws {TypeError} naming a bad option. */
  set(path: string, options: HandlerOptions | undefined): void {
    this.#byPath.set(path, checkHandlerOptions(options));
  }

  /** What a connection on `path` runs with. */
  settings(config: ResolvedConfig, path: string): PathSettings {
    return pathSettings(config, this.#byPath.get(path));
  }

  largest(config: ResolvedConfig): number {
    return largestMessageSize(config, this.#byPath.values());
  }
}

/** The largest frame any path accepts: what a transport's own limit (`ws` maxPayload) must allow. */
export function largestMessageSize(
  config: ResolvedConfig,
  options: Iterable<HandlerOptions>,
): number {
  let largest = config.maxMessageSize;
  for (const option of options) largest = Math.max(largest, option.maxMessageSize ?? 0);
  return largest;
}
