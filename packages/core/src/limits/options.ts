/**
 * The connection manager's abuse limits (issue 13): a per-connection message rate, caps on the
 * connections of one user and of one address, and single-use WebSocket tickets. Their options,
 * defaults and the up-front checks that name a bad one.
 */
import type { TicketStore } from "./tickets.ts";

/** A token bucket on the frames one connection sends. */
export interface RateLimitOptions {
  /** Frames per second a connection may send, sustained (the bucket's refill rate). */
  messagesPerSecond: number;
  /** Frames a connection may send at once after a pause (the bucket's size). @default messagesPerSecond, at least 1 */
  burst?: number;
  /**
   * Refused frames a connection may pile up before it is closed with 1008. Each refusal adds one
   * and the pile drains at `messagesPerSecond`, so a client that sends up to twice its rate is
   * only throttled, while one that keeps flooding faster is closed within about
   * `maxRefusals / messagesPerSecond` seconds. @default 50
   */
  maxRefusals?: number;
}

/** Single-use tickets for `?ticket=` on the upgrade (`POST {basePath}/auth/websocket`). */
export interface TicketOptions {
  /** How long a ticket may wait for its handshake, in milliseconds. @default 30000 */
  ttlMs?: number;
  /**
   * Where tickets wait. @default the broker's ticket store when it has one (`createRedisBroker()`:
   * tickets work on every instance), else one in memory (this instance only)
   */
  store?: TicketStore;
}

/** The limits part of `WebSocketConfig`. */
export interface LimitsConfig {
  /**
   * Frames one connection may send: excess frames are answered with an `error` frame
   * `RATE_LIMITED` (carrying their `requestId`) and not processed; a connection that keeps
   * flooding is closed with 1008. Every frame counts, pings included. Per connection, so per
   * instance. @default undefined (no limit)
   */
  rateLimit?: RateLimitOptions;
  /**
   * Connections one authenticated user may have open; the next handshake gets HTTP 429
   * `MAX_CONNECTIONS_PER_USER`. Counted across the cluster when the broker keeps limits
   * (`createRedisBroker()`: one round trip per handshake, this instance's count checked first;
   * Redis down, this instance's count alone), else per instance. @default undefined (no cap)
   */
  maxConnectionsPerUser?: number;
  /**
   * Connections one remote address may have open (or waiting for first-message auth) on this
   * instance; the next handshake gets HTTP 429 `MAX_CONNECTIONS_PER_IP`. Behind a proxy every
   * client has the proxy's address: cap there instead. Per instance, with a broker too.
   * @default undefined (no cap)
   */
  maxConnectionsPerIp?: number;
  /** Single-use tickets, on whenever `auth` is configured; `false` turns them off. */
  tickets?: TicketOptions | false;
}

/** Resolved {@link RateLimitOptions}. */
export interface ResolvedRateLimit {
  messagesPerSecond: number;
  burst: number;
  maxRefusals: number;
}

const DEFAULTS = { maxRefusals: 50, ttlMs: 30_000 } as const;

function positive(name: string, value: unknown, integer: boolean): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value))
    throw new TypeError(`The "${name}" option must be a positive number (got ${String(value)})`);
  if (integer && !Number.isInteger(value))
    throw new TypeError(`The "${name}" option must be a positive integer (got ${String(value)})`);
  return value;
}

/**
 * Checks `rateLimit` and fills in its defaults.
 * @throws {TypeError} naming the first invalid option.
 */
export function resolveRateLimit(
  options: RateLimitOptions | undefined,
): ResolvedRateLimit | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object")
    throw new TypeError('The "rateLimit" option must be an object { messagesPerSecond, burst? }');
  const messagesPerSecond = positive(
    "rateLimit.messagesPerSecond",
    options.messagesPerSecond,
    false,
  );
  const burst =
    options.burst === undefined
      ? Math.max(1, Math.ceil(messagesPerSecond))
      : positive("rateLimit.burst", options.burst, true);
  const maxRefusals =
    options.maxRefusals === undefined
      ? DEFAULTS.maxRefusals
      : positive("rateLimit.maxRefusals", options.maxRefusals, true);
  return { messagesPerSecond, burst, maxRefusals };
}

/** Checks a connection cap. @throws {TypeError} naming the option. */
export function resolveCap(name: string, value: number | undefined): number | undefined {
  return value === undefined ? undefined : positive(name, value, true);
}

/** Checks `tickets`. @throws {TypeError} naming the first invalid option. */
export function resolveTickets(
  options: TicketOptions | false | undefined,
): { ttlMs: number; store: TicketStore | undefined } | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (options === null || typeof options !== "object"))
    throw new TypeError('The "tickets" option must be an object or false');
  const ttlMs =
    options?.ttlMs === undefined ? DEFAULTS.ttlMs : positive("tickets.ttlMs", options.ttlMs, true);
  const store = options?.store;
  if (store !== undefined && (typeof store?.put !== "function" || typeof store.take !== "function"))
    throw new TypeError('The "tickets.store" option must have put() and take()');
  return { ttlMs, store };
}
