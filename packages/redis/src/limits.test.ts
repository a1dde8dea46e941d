/**
 * The Redis limit store on a real redis-server: the sliding log of stream starts (the refusal's
 * wait, the window sliding on), connection places (the cap, an idempotent slot, release, expiry
 * of a dead instance's places, refresh and restore), and a paused Redis answered by the timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import { RedisLimitStore } from "./limits.ts";
import { startRedis, type RedisProcess } from "./testing.ts";
import { limitKeys } from "./wire.ts";

let redis: RedisProcess;
let client: ReturnType<typeof createClient>;
let prefix = 0;
beforeAll(async () => {
  redis = await startRedis();
  client = createClient({ url: redis.url });
  client.on("error", () => {});
  await client.connect();
});
afterAll(async () => {
  await client.close();
  await redis.stop();
});

/** A store on its own prefix (a fresh cluster per test), with `ttlMs` places. */
const store = (ttlMs = 30_000, timeoutMs = 1000, name = `t${++prefix}`) =>
  new RedisLimitStore(client, name, ttlMs, timeoutMs);

/** Polls `check` until true, or fails after `ms`; resolves with the ms it took. */
async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

describe("streams per window", () => {
  it("records max starts per key, then answers the ms until the oldest leaves the window", async () => {
    const name = `t${++prefix}`;
    const [one, other] = [new RedisLimitStore(client, name, 1000, 1000), store(1000, 1000, name)];
    expect(await one.startStream("alice", 2, 60_000)).toBeUndefined();
    expect(await one.startStream("alice", 2, 60_000)).toBeUndefined();
    const wait = await other.startStream("alice", 2, 60_000); // another instance, same prefix
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(await other.startStream("bob", 2, 60_000)).toBeUndefined();
    expect(await store().startStream("alice", 2, 60_000)).toBeUndefined(); // another prefix
    // A refusal is not recorded: the log holds max entries.
    expect(await client.zCard(limitKeys(name, "alice").streams)).toBe(2);
  });

  it("slides: a start is allowed again once the oldest is a window old, not before", async () => {
    const s = store();
    const started = Date.now();
    expect(await s.startStream("alice", 1, 400)).toBeUndefined();
    const wait = (await s.startStream("alice", 1, 400))!;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(400);
    const took = await until(
      async () => (await s.startStream("alice", 1, 400)) === undefined,
      2000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(1000);
  });
});

describe("connection places", () => {
  it("caps a user across instances; a slot held is held once; release frees it", async () => {
    const a = store();
    const b = new RedisLimitStore(client, `t${prefix}`, 30_000, 1000);
    expect(await a.acquire("alice", "a1", 2)).toBe(true);
    expect(await b.acquire("alice", "b1", 2)).toBe(true);
    expect(await b.acquire("alice", "b2", 2)).toBe(false);
    expect(await a.acquire("alice", "a1", 2)).toBe(true); // already its own
    expect(await b.acquire("bob", "b3", 2)).toBe(true);
    a.release("alice", "a1");
    await until(async () => b.acquire("alice", "b2", 2), 1000);
    expect(await a.acquire("alice", "a4", 2)).toBe(false);
  });

  it("a dead instance's places expire after its TTL; refresh keeps and restores them", async () => {
    const name = `t${++prefix}`;
    const dead = new RedisLimitStore(client, name, 300, 1000);
    const live = new RedisLimitStore(client, name, 300, 1000);
    expect(await dead.acquire("alice", "d1", 1)).toBe(true); // never refreshed from now on
    const started = Date.now();
    const freed = await until(async () => live.acquire("alice", "l1", 1), 2000);
    expect(Date.now() - started + 20).toBeGreaterThanOrEqual(250);
    expect(freed).toBeLessThan(1300);

    const key = limitKeys(name, "alice").places;
    const before = (await client.zScore(key, "l1"))!;
    await until(async () => {
      await live.refresh();
      return (await client.zScore(key, "l1"))! > before;
    }, 1000);
    await client.del(key); // Redis lost its data (a restart without persistence)
    await live.refresh();
    expect(await client.zRange(key, 0, -1)).toEqual(["l1"]);
    await live.releaseAll();
    expect(await client.exists(key)).toBe(0);
  });
});

describe("a Redis that does not answer", () => {
  it("rejects within timeoutMs (core then fails open), and keeps the place to restore it", async () => {
    const s = store(30_000, 150);
    await client.sendCommand(["CLIENT", "PAUSE", "600", "ALL"]); // ends by itself
    const started = Date.now();
    await expect(s.startStream("alice", 1, 60_000)).rejects.toThrow(/timed out/);
    await expect(s.acquire("alice", "p1", 1)).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(1000);
    await s.refresh(); // answered once the pause ends
    expect(await client.zRange(limitKeys(`t${prefix}`, "alice").places, 0, -1)).toEqual(["p1"]);
  });
});
