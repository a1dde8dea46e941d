/**
 * Options of `createAgentSocketClient`: checked up front (a bad option throws a `TypeError` naming
 * it), merged over `DEFAULTS` into a new object, and the reconnect backoff they describe.
 */

/**
 * The part of a WebSocket the client uses. The browser's `WebSocket`, Node 22+'s global one and
 * the `ws` package's all have it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: `WebSocket` (browsers, Node 22+) or `import { WebSocket } from "ws"`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Query parameters added to the URL of every connection (credentials such as `apiKey`, `token`). */
export type ConnectionParams = Record<string, string>;

/** How the client reconnects after the connection drops. */
export interface ReconnectOptions {
  /** The ceiling of the first retry's delay (full jitter: a random delay below it). @default 500 */
  initialDelayMs?: number;
  /** The ceiling doubles on each failed attempt up to this. @default 30000 */
  maxDelayMs?: number;
  /** Failed attempts in a row before the client gives up and turns `"closed"`. @default Infinity */
  maxRetries?: number;
}

/** Options of `createAgentSocketClient`. */
export interface AgentSocketClientOptions {
  /** The server's WebSocket endpoint, e.g. `ws://localhost:3000/ws` (`http(s):` is accepted too). */
  url: string | URL;
  /**
   * The WebSocket class. Node 20 has none built in: pass `WebSocket` from `ws`.
   * @default globalThis.WebSocket
   */
  webSocket?: WebSocketConstructor;
  /**
   * Query parameters of each connection (e.g. `{ apiKey }` or `{ token }`), or a function called
   * before every attempt — so a reconnect can fetch a fresh token. @default none
   */
  params?: ConnectionParams | (() => ConnectionParams | Promise<ConnectionParams>);
  /**
   * Reconnect after a drop with exponential backoff and full jitter; `false` turns it off.
   * @default true (500 ms, doubling up to 30 s, retrying forever)
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Where a throwing `on(...)` listener's error goes. @default console.error
   */
  onError?: (error: unknown) => void;
}

/** Options once checked and merged over the defaults. */
export interface ResolvedOptions {
  url: string;
  webSocket: WebSocketConstructor;
  params: AgentSocketClientOptions["params"];
  reconnect: Required<ReconnectOptions> | false;
  onError: (error: unknown) => void;
}

const DEFAULTS = {
  reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, maxRetries: Infinity },
} as const;

export function checkUrl(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new TypeError(
      `The "url" option must be a ws:, wss:, http: or https: URL (got ${String(url)})`,
    );
  }
  const protocols: Record<string, string> = {
    "ws:": "ws:",
    "wss:": "wss:",
    "http:": "ws:",
    "https:": "wss:",
  };
  const protocol = protocols[parsed.protocol];
  if (!protocol || (typeof url !== "string" && !(url instanceof URL))) {
    throw new TypeError(
      `The "url" option must be a ws:, wss:, http: or https: URL (got ${String(url)})`,
    );
  }
  parsed.protocol = protocol;
  return parsed.href;
}

export function checkReconnect(
  reconnect: AgentSocketClientOptions["reconnect"],
): ResolvedOptions["reconnect"] {
  if (reconnect === false) return false;
  if (reconnect === undefined || reconnect === true) return { ...DEFAULTS.reconnect };
  if (typeof reconnect !== "object" || reconnect === null) {
    throw new TypeError(
      'The "reconnect" option must be a boolean or { initialDelayMs, maxDelayMs, maxRetries }',
    );
  }
  const resolved = { ...DEFAULTS.reconnect, ...reconnect };
  for (const key of ["initialDelayMs", "maxDelayMs", "maxRetries"] as const) {
    const value = resolved[key];
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new TypeError(
        `The "reconnect.${key}" option must be a number >= 0 (got ${String(value)})`,
      );
    }
  }
  if (resolved.maxDelayMs < resolved.initialDelayMs) {
    throw new TypeError('The "reconnect.maxDelayMs" option must be >= "reconnect.initialDelayMs"');
  }
  return resolved;
}

/** Checks the options and merges them over the defaults. @throws {TypeError} naming a bad option. */
export function resolveOptions(options: AgentSocketClientOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError('createAgentSocketClient needs an options object with a "url"');
  }
  const url = checkUrl(options.url);
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const webSocket = options.webSocket ?? global;
  if (typeof webSocket !== "function") {
    throw new TypeError(
      'The "webSocket" option must be a WebSocket class: this runtime has no global WebSocket ' +
        '(Node 20: npm install ws, then pass { webSocket: WebSocket } from "ws")',
    );
  }
  const { params } = options;
  if (
    params !== undefined &&
    typeof params !== "function" &&
    (typeof params !== "object" || params === null)
  ) {
    throw new TypeError(
      'The "params" option must be an object of strings or a function returning one',
    );
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new TypeError('The "onError" option must be a function');
  }
  return {
    url,
    webSocket,
    params,
    reconnect: checkReconnect(options.reconnect),
    onError: options.onError ?? ((error) => console.error("agentsocket client:", error)),
  };
}

/**
 * The delay before reconnect attempt `attempt` (0 = the first): exponential backoff with full
 * jitter — a random delay below `min(maxDelayMs, initialDelayMs * 2^attempt)` — so clients that
 * dropped together do not all come back at once.
 */
export function backoffDelay(reconnect: Required<ReconnectOptions>, attempt: number): number {
  const ceiling = Math.min(reconnect.maxDelayMs, reconnect.initialDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

/** The URL of one connection attempt: `url` with `params` added to its query. */
export async function connectionUrl(options: ResolvedOptions): Promise<string> {
  const params = typeof options.params === "function" ? await options.params() : options.params;
  const url = new URL(options.url);
  for (const [name, value] of Object.entries(params ?? {}))
    url.searchParams.set(name, String(value));
  return url.href;
}
