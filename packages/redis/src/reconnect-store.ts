/**
 * Where the Socket.IO binding's gone clients wait for `ai:reconnect`, on Redis, so a client may
 * reconnect to any instance (issue 15): one HASH per gone client, `<prefix>:{c:<clientId>}:sio`
 * with its user (`u`) and its record (`r`: rooms and streams, JSON), expiring after the
 * reconnect window (`PEXPIRE`). A claim is one Lua script — compare the user, read, delete — so
 * of two instances claiming at once one wins, and another user's claim leaves the record alone.
 * The shape matches `ReconnectStore` of `@agentsocket/socket.io` (this package does not depend
 * on it).
 */
import { runScript, script, type CommandSender } from "./lua.ts";

/** What the binding parks: its rooms and streams (see `@agentsocket/socket.io`'s `ClientRecord`). */
export interface ParkedClientRecord {
  rooms: string[];
  streams: Array<{ key: string; streamId: string; delivered: number; startedAt: number }>;
}

/** A store of gone Socket.IO clients on Redis (`broker.reconnectStore()`). */
export interface RedisReconnectStore {
  park(
    clientId: string,
    userId: string | undefined,
    record: ParkedClientRecord,
    windowMs: number,
  ): Promise<void>;
  claim(clientId: string, userId: string | undefined): Promise<ParkedClientRecord | undefined>;
}

/** The key of a gone client: its own hash tag, so it lives on one slot of a Redis Cluster. */
export const reconnectKey = (prefix: string, clientId: string): string =>
  `${prefix}:{c:${encodeURIComponent(clientId)}}:sio`;

/** KEYS: the client. ARGV: user, record, window ms. A newer park replaces an older one. */
const PARK = `redis.call('del', KEYS[1])
redis.call('hset', KEYS[1], 'u', ARGV[1], 'r', ARGV[2])
redis.call('pexpire', KEYS[1], ARGV[3])
return 1`;

/** KEYS: the client. ARGV: user. → the record, taken (deleted), when it is that user's; else nil. */
const CLAIM = `local user = redis.call('hget', KEYS[1], 'u')
if user ~= ARGV[1] then return false end
local record = redis.call('hget', KEYS[1], 'r')
redis.call('del', KEYS[1])
return record`;

const SCRIPTS = { park: script(PARK), claim: script(CLAIM) };

/** The user as stored: JSON, so "no user" (`null`) never equals a user's id. */
const userField = (userId: string | undefined) => JSON.stringify(userId ?? null);

export class RedisReconnectRecords implements RedisReconnectStore {
  constructor(
    private readonly redis: CommandSender,
    private readonly prefix: string,
  ) {}

  async park(
    clientId: string,
    userId: string | undefined,
    record: ParkedClientRecord,
    windowMs: number,
  ): Promise<void> {
    const key = reconnectKey(this.prefix, clientId);
    const args = [userField(userId), JSON.stringify(record), String(windowMs)];
    await runScript(this.redis, SCRIPTS.park, [key], args);
  }

  async claim(clientId: string, userId: string | undefined) {
    const key = reconnectKey(this.prefix, clientId);
    const reply = await runScript(this.redis, SCRIPTS.claim, [key], [userField(userId)]);
    if (typeof reply !== "string") return undefined;
    try {
      const record = JSON.parse(reply) as ParkedClientRecord;
      return Array.isArray(record?.rooms) && Array.isArray(record.streams) ? record : undefined;
    } catch {
      return undefined;
    }
  }
}
