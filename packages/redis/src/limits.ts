/**
 * The broker's {@link LimitStore} on Redis (issue 13): `agent.maxStreamsPerMinute` and
 * `maxConnectionsPerUser` counted across the cluster, one Lua call per stream start and per
 * handshake, on Redis's own clock (`TIME`) so the instances' clocks need not agree.
 *
 * Streams: a sliding log per user — a ZSET of start times, trimmed to the window, at most `max`
 * entries — the same rule as core's in-memory log, so the answer and its "retry in N s" are the
 * same with or without Redis (a fixed window would let a user start 2 × max around a boundary).
 * Connections: a ZSET per user of places (slot → expiry). This instance refreshes the expiry of
 * the places it holds every broker heartbeat and removes one as its connection closes; the places
 * of an instance that died pass their expiry and the next handshake of that user drops them.
 * Every call gives up after `timeoutMs`; core then counts on its own instance (fail open).
 */
import { randomUUID } from "node:crypto";
import type { LimitStore } from "@agentsocket/core";
import { runScript, script, type CommandSender } from "./lua.ts";
import { limitKeys } from "./wire.ts";

const NOW = `local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS: starts. ARGV: max, window ms, a unique id. → -1 when recorded, else ms until allowed. */
const START = `${NOW}redis.call('zremrangebyscore', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[1]) then
  local first = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(first[2]) + tonumber(ARGV[2]) - now)
end
redis.call('zadd', KEYS[1], now, ARGV[3])
redis.call('pexpire', KEYS[1], ARGV[2])
return -1`;

/** KEYS: places. ARGV: max, ttl ms, slot. → 1 when the place is taken (or already held), else 0. */
const ACQUIRE = `${NOW}redis.call('zremrangebyscore', KEYS[1], '-inf', now)
if not redis.call('zscore', KEYS[1], ARGV[3]) and redis.call('zcard', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('zadd', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('pexpire', KEYS[1], ARGV[2])
return 1`;

/** KEYS: places. ARGV: ttl ms, then slots. Pushes their expiry on (and restores them after an outage). */
const REFRESH = `${NOW}local at = now + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('zadd', KEYS[1], at, ARGV[i]) end
redis.call('pexpire', KEYS[1], ARGV[1])
return 0`;

const SCRIPTS = { start: script(START), acquire: script(ACQUIRE), refresh: script(REFRESH) };

/** The Redis side of the limits (exported for its unit tests). */
export const LIMIT_SCRIPTS = SCRIPTS;

export class RedisLimitStore implements LimitStore {
  /** The places this instance holds, per user: refreshed every heartbeat. */
  readonly #held = new Map<string, Set<string>>();
  readonly #instance = randomUUID();
  #starts = 0;

  constructor(
    private readonly redis: CommandSender,
    private readonly prefix: string,
    /** How long a place outlives its instance's last heartbeat. */
    private readonly ttlMs: number,
    private readonly timeoutMs: number,
  ) {}

  async startStream(key: string, max: number, windowMs: number): Promise<number | undefined> {
    const id = `${this.#instance}:${++this.#starts}`;
    const keys = [limitKeys(this.prefix, key).streams];
    const reply = await this.#bounded(
      runScript(this.redis, SCRIPTS.start, keys, [String(max), String(windowMs), id]),
    );
    const wait = Number(reply);
    return wait < 0 ? undefined : wait;
  }

  async acquire(userId: string, slot: string, max: number): Promise<boolean> {
    let slots = this.#held.get(userId);
    if (slots === undefined) this.#held.set(userId, (slots = new Set()));
    // Held before the answer: a place taken while Redis is down (fail open) is written back by
    // the first heartbeat after it returns.
    slots.add(slot);
    const keys = [limitKeys(this.prefix, userId).places];
    const args = [String(max), String(this.ttlMs), slot];
    const reply = await this.#bounded(runScript(this.redis, SCRIPTS.acquire, keys, args));
    if (Number(reply) === 1) return true;
    this.#forget(userId, slot);
    return false;
  }

  release(userId: string, slot: string): void {
    if (!this.#forget(userId, slot)) return;
    const key = limitKeys(this.prefix, userId).places;
    this.redis.sendCommand(["ZREM", key, slot]).catch(() => {}); // else it expires on its own
  }

  /** The heartbeat: pushes on the expiry of every place this instance holds. */
  async refresh(): Promise<void> {
    const ttl = String(this.ttlMs);
    await Promise.all(
      Array.from(this.#held, ([userId, slots]) =>
        runScript(
          this.redis,
          SCRIPTS.refresh,
          [limitKeys(this.prefix, userId).places],
          [ttl, ...slots],
        ).catch(() => {}),
      ),
    );
  }

  /** Clean shutdown: every place this instance holds, at once. */
  async releaseAll(): Promise<void> {
    const held = Array.from(this.#held);
    this.#held.clear();
    await Promise.all(
      held.map(([userId, slots]) =>
        this.redis
          .sendCommand(["ZREM", limitKeys(this.prefix, userId).places, ...slots])
          .catch(() => {}),
      ),
    );
  }

  #forget(userId: string, slot: string): boolean {
    const slots = this.#held.get(userId);
    if (slots === undefined || !slots.delete(slot)) return false;
    if (slots.size === 0) this.#held.delete(userId);
    return true;
  }

  /** `work`, or a rejection after `timeoutMs` (Redis slow or unreachable: core fails open). */
  #bounded<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("Redis limits timed out")), this.timeoutMs);
    });
    work.catch(() => {});
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }
}
