/**
 * Options of {@link createRedisBroker}, their defaults and the up-front checks that name a bad one.
 */
import type { RedisClientType } from "redis";

/**
 * A Redis Cluster client from node-redis's `createCluster()`, typed by what the broker checks
 * (node-redis's own cluster type does not accept another module set's).
 */
export interface RedisClusterLike {
  readonly masters: unknown;
  duplicate(...args: never[]): unknown;
}

/** Cluster presence timing. */
export interface RedisPresenceOptions {
  /** A node and its room memberships vanish this long after its last heartbeat. @default 30000 */
  ttlMs?: number;
  /** Milliseconds between heartbeats (node entry and membership refresh); below `ttlMs`. @default 10000 */
  heartbeatMs?: number;
}

/** Cluster-wide limits (`maxConnectionsPerUser`, `agent.maxStreamsPerMinute`) on Redis. */
export interface RedisLimitsOptions {
  /**
   * How long a handshake or stream start waits for Redis before this instance decides by its
   * own count alone (fail open). @default 250
   */
  timeoutMs?: number;
}

/** Options of {@link createRedisBroker}: a `url` or a `client` (used as a template). */
export interface RedisBrokerOptions {
  /** `redis://[[user]:password@]host[:port][/db]`; give this or `client`. */
  url?: string;
  /**
   * A node-redis client (connected or not), or a Redis Cluster client (`createCluster()`; pub/sub
   * is then sharded, each room's channel on its slot's master). It is never used itself: the
   * broker makes its two connections with `client.duplicate()`, so your client's options (TLS,
   * auth, RESP) apply.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client?: RedisClientType<any, any, any, any, any> | RedisClusterLike;
  /** Prefix of every key and channel, to share one Redis between clusters. @default "agentsocket" */
  prefix?: string;
  /**
   * Cluster presence for `manager.cluster.fetchRoomInfo()`/`fetchStats()`: one Lua call per join
   * and leave, plus a refresh per room every heartbeat. `false` turns it off. @default true
   */
  presence?: boolean | RedisPresenceOptions;
  /**
   * Counts `maxConnectionsPerUser` and `agent.maxStreamsPerMinute` across the cluster on Redis: one
   * Lua call per handshake of a capped user and per stream start, one `ZREM` per close. A
   * connection's place outlives a dead instance by `presence.ttlMs` (refreshed every
   * `presence.heartbeatMs`, their defaults without presence). `false`: each instance counts
   * its own. @default true
   */
  limits?: boolean | RedisLimitsOptions;
  /**
   * Sharded pub/sub (`SSUBSCRIBE`/`SPUBLISH`, Redis 7+), which scales on Redis Cluster.
   * @default "auto" (sharded when the server is Redis 7 or later)
   */
  sharded?: boolean | "auto";
}

export interface ResolvedRedisBrokerOptions {
  url: string | undefined;
  client: RedisBrokerOptions["client"];
  prefix: string;
  presence: Required<RedisPresenceOptions> | false;
  /** Place expiry and refresh come from presence's timing (its defaults without presence). */
  limits: (Required<RedisLimitsOptions> & Required<RedisPresenceOptions>) | false;
  sharded: boolean | "auto";
}

export const DEFAULTS = {
  prefix: "agentsocket",
  ttlMs: 30_000,
  heartbeatMs: 10_000,
  limitsTimeoutMs: 250,
  sharded: "auto",
} as const;

function checkMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 10)
    throw new TypeError(`The "${name}" option must be an integer >= 10 (got ${String(value)})`);
  return value;
}

/**
 * Merges `options` over {@link DEFAULTS} into a new object.
 * @throws {TypeError} naming the first invalid option.
 */
export function resolveOptions(options: RedisBrokerOptions): ResolvedRedisBrokerOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError("createRedisBroker: options must be an object");
  const { url, client } = options;
  if ((url === undefined) === (client === undefined))
    throw new TypeError('createRedisBroker: give exactly one of the "url" or "client" options');
  if (url !== undefined && (typeof url !== "string" || !/^rediss?:\/\//.test(url)))
    throw new TypeError('The "url" option must be a redis:// or rediss:// URL');
  if (client !== undefined && typeof client?.duplicate !== "function")
    throw new TypeError(
      'The "client" option must be a node-redis client (createClient() or createCluster())',
    );
  const prefix = options.prefix ?? DEFAULTS.prefix;
  if (typeof prefix !== "string" || prefix === "" || /[{}\s]/.test(prefix))
    throw new TypeError(
      'The "prefix" option must be a non-empty string without "{", "}" or spaces',
    );
  const sharded = options.sharded ?? DEFAULTS.sharded;
  if (sharded !== true && sharded !== false && sharded !== "auto")
    throw new TypeError('The "sharded" option must be true, false or "auto"');
  let presence: ResolvedRedisBrokerOptions["presence"] = false;
  if (options.presence !== false) {
    const given = typeof options.presence === "object" ? options.presence : {};
    const ttlMs = checkMs("presence.ttlMs", given.ttlMs, DEFAULTS.ttlMs);
    const heartbeatMs = checkMs(
      "presence.heartbeatMs",
      given.heartbeatMs,
      Math.min(DEFAULTS.heartbeatMs, Math.floor(ttlMs / 3)),
    );
    if (heartbeatMs >= ttlMs)
      throw new TypeError('The "presence.heartbeatMs" option must be below "presence.ttlMs"');
    presence = { ttlMs, heartbeatMs };
  }
  let limits: ResolvedRedisBrokerOptions["limits"] = false;
  if (options.limits !== false) {
    if (
      options.limits !== undefined &&
      options.limits !== true &&
      typeof options.limits !== "object"
    )
      throw new TypeError('The "limits" option must be a boolean or { timeoutMs }');
    const given = typeof options.limits === "object" ? options.limits : {};
    const timeoutMs = checkMs("limits.timeoutMs", given.timeoutMs, DEFAULTS.limitsTimeoutMs);
    const timing = presence || { ttlMs: DEFAULTS.ttlMs, heartbeatMs: DEFAULTS.heartbeatMs };
    limits = { timeoutMs, ...timing };
  }
  return { url, client, prefix, presence, limits, sharded };
}
