/**
 * Options of {@link createRedisStreamStore}, their defaults and the checks that name a bad one.
 */
import type { RedisClientType } from "redis";
import { DEFAULTS } from "./options.ts";

/** Options of `createRedisStreamStore`: a `url` or a `client` (used as a template). */
export interface RedisStreamStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]`; give this or `client`. */
  url?: string;
  /** A node-redis client; the store makes its two connections with `client.duplicate()`. */
  client?: RedisClientType<any, any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Prefix of every key and channel (the broker's, when it comes from `broker.streamStore()`). @default "agentsocket" */
  prefix?: string;
  /** Sharded pub/sub (`SPUBLISH`, Redis 7+) for the live and cancel channels. @default "auto" */
  sharded?: boolean | "auto";
  /** Milliseconds a call waits for the first connection before it fails. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * Milliseconds appends may wait to leave together in one script call (the appends of every
   * stream go together); 0 batches what one event-loop turn appended. While a call is unanswered
   * the next one also waits for its reply. The attached client never waits (it is written to
   * directly): only resumers see frames that much later. @default 0
   */
  appendBatchMs?: number;
}

export interface ResolvedStreamStoreOptions {
  url: string | undefined;
  client: RedisStreamStoreOptions["client"];
  prefix: string;
  sharded: boolean | "auto";
  connectTimeoutMs: number;
  appendBatchMs: number;
}

/**
 * Merges `options` over the defaults into a new object.
 * @throws {TypeError} naming the first invalid option.
 */
export function resolveStreamStoreOptions(
  options: RedisStreamStoreOptions,
): ResolvedStreamStoreOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError("createRedisStreamStore: options must be an object");
  const { url, client } = options;
  if ((url === undefined) === (client === undefined))
    throw new TypeError(
      'createRedisStreamStore: give exactly one of the "url" or "client" options',
    );
  if (url !== undefined && (typeof url !== "string" || !/^rediss?:\/\//.test(url)))
    throw new TypeError('The "url" option must be a redis:// or rediss:// URL');
  if (client !== undefined && typeof client?.duplicate !== "function")
    throw new TypeError('The "client" option must be a node-redis client (createClient())');
  const prefix = options.prefix ?? DEFAULTS.prefix;
  if (typeof prefix !== "string" || prefix === "" || /[{}\s]/.test(prefix))
    throw new TypeError(
      'The "prefix" option must be a non-empty string without "{", "}" or spaces',
    );
  const sharded = options.sharded ?? DEFAULTS.sharded;
  if (sharded !== true && sharded !== false && sharded !== "auto")
    throw new TypeError('The "sharded" option must be true, false or "auto"');
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1)
    throw new TypeError('The "connectTimeoutMs" option must be a positive integer');
  const appendBatchMs = options.appendBatchMs ?? 0;
  if (!Number.isInteger(appendBatchMs) || appendBatchMs < 0)
    throw new TypeError('The "appendBatchMs" option must be a non-negative integer');
  return { url, client, prefix, sharded, connectTimeoutMs, appendBatchMs };
}
