/**
 * The broker's reconnect store on a real redis-server: a record is claimed once, only by its user
 * (another user's claim leaves it for the right one), from a second broker on the same Redis, and
 * is gone after its window; racing claims from two instances give it to exactly one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import type { BrokerNode } from "@agentsocket/core";
import { createRedisBroker, type RedisBroker } from "./index.ts";
import { reconnectKey } from "./reconnect-store.ts";
import { startRedis, type RedisProcess } from "./testing.ts";

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const brokers: RedisBroker[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

const node = (nodeId: string): BrokerNode => ({
  nodeId,
  receive: () => {},
  memberships: () => [],
  connectionCount: () => 0,
  stateChanged: () => {},
});

async function start(prefix: string) {
  const broker = createRedisBroker({ url: redis.url, prefix, presence: false, limits: false });
  brokers.push(broker);
  await broker.start(node(`${prefix}-${brokers.length}`));
  return broker.reconnectStore();
}

const RECORD = {
  rooms: ["news"],
  streams: [{ key: "ai:s1", streamId: "log-1", delivered: 3, startedAt: 1 }],
};

describe("broker.reconnectStore()", () => {
  it("a record parked on one instance is claimed on another: once, by its user only", async () => {
    const [a, b] = [await start("rc1"), await start("rc1")];
    await a.park("client-1", "alice", RECORD, 60_000);
    expect(await b.claim("client-1", "mallory")).toBeUndefined();
    expect(await b.claim("client-1", undefined)).toBeUndefined();
    expect(await b.claim("client-1", "alice")).toEqual(RECORD);
    expect(await a.claim("client-1", "alice")).toBeUndefined();
    // Without a user, only a claim without a user takes it.
    await a.park("client-2", undefined, RECORD, 60_000);
    expect(await b.claim("client-2", "null")).toBeUndefined();
    expect(await b.claim("client-2", undefined)).toEqual(RECORD);
  });

  it("two instances claiming at once: exactly one gets the record", async () => {
    const [a, b] = [await start("rc2"), await start("rc2")];
    await a.park("client-1", "alice", RECORD, 60_000);
    const got = await Promise.all([a.claim("client-1", "alice"), b.claim("client-1", "alice")]);
    expect(got.filter((record) => record !== undefined)).toEqual([RECORD]);
  });

  it("a record lives for its window, under the client's hash tag", async () => {
    const store = await start("rc3");
    await store.park("c/1", "alice", RECORD, 5_000);
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const key = reconnectKey("rc3", "c/1");
      expect(key).toBe("rc3:{c:c%2F1}:sio");
      const ttl = await client.pTTL(key);
      expect(ttl).toBeGreaterThan(4_000);
      expect(ttl).toBeLessThanOrEqual(5_000);
      await store.park("c/1", "alice", RECORD, 100); // parked again, with a short window
      const deadline = Date.now() + 5_000;
      while ((await client.exists(key)) === 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20)); // polls Redis for the expiry
      }
      expect(await store.claim("c/1", "alice")).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
