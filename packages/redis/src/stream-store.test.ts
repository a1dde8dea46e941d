// The Redis stream store passes the stream store suite on a real redis-server (two store
// instances: the second one reads, cancels and touches what the first one wrote).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import { runStreamStoreSuite } from "@agentsocket/core/testing";
import { createRedisStreamStore } from "./index.ts";
import { startRedis, type RedisProcess } from "./testing.ts";

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("still failing after the deadline");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

for (const sharded of [true, false]) {
  runStreamStoreSuite({
    name: `redis (${sharded ? "sharded" : "classic"} pub/sub)`,
    create: async () => {
      const store = createRedisStreamStore({ url: redis.url, prefix: `t${sharded}`, sharded });
      await store.ready();
      return store;
    },
  });
}

describe("createRedisStreamStore", () => {
  it("a setup Redis refuses fails ready() with Redis's error, and runs again after a reconnect", async () => {
    // SCRIPT renamed away: loading the stream scripts fails. Before the fix that failure was also
    // an unhandled rejection, and the store stayed broken after Redis came back.
    const own = await startRedis(["--rename-command", "SCRIPT", ""]);
    const store = createRedisStreamStore({ url: own.url, prefix: "setup", connectTimeoutMs: 2000 });
    try {
      await expect(store.ready()).rejects.toThrow(/unknown command 'script'/i);
      await own.kill();
      await own.restart([]);
      await eventually(() =>
        store.ready().then(
          () => true,
          () => false,
        ),
      );
      const stream = await store.create({ streamId: "s1", ownerNode: "n1" });
      expect(stream.streamId).toBe("s1");
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it("sends the appends of every stream made in one turn as one script call, in order, refusing only the bad frame", async () => {
    // Its own redis-server: the command counts are this test's alone.
    const own = await startRedis();
    const store = createRedisStreamStore({ url: own.url, prefix: "batch" });
    const redis = createClient({ url: own.url });
    try {
      await Promise.all([store.ready(), redis.connect()]);
      const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
      await Promise.all(ids.map((streamId) => store.create({ streamId, ownerNode: "n1" })));
      await redis.sendCommand(["CONFIG", "RESETSTAT"]);
      const writes: Promise<void>[] = [];
      for (let offset = 1; offset <= 3; offset++)
        for (const id of ids) writes.push(store.append(id, { offset, frame: `${id}-${offset}` }));
      const bad = store.append("s0", { offset: 7, frame: "s0-7" });
      await Promise.all(writes);
      await expect(bad).rejects.toMatchObject({ code: "INVALID_MESSAGE" });
      const stats = String(await redis.sendCommand(["INFO", "commandstats"]));
      expect(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1]).toBe("1");
      for (const id of ids) {
        const read = await store.read(id, 0);
        expect(read?.frames.map((f) => f.frame)).toEqual([1, 2, 3].map((n) => `${id}-${n}`));
        expect(read?.meta.lastOffset).toBe(3);
      }
    } finally {
      await redis.close();
      await store.close();
      await own.stop();
    }
  });

  it("names a bad option", () => {
    expect(() => createRedisStreamStore({})).toThrow(/exactly one of the "url" or "client"/);
    expect(() => createRedisStreamStore({ url: "http://x" })).toThrow(/"url" option/);
    expect(() => createRedisStreamStore({ url: "redis://x", prefix: "a{" })).toThrow(/"prefix"/);
    expect(() => createRedisStreamStore({ url: "redis://x", connectTimeoutMs: 0 })).toThrow(
      /"connectTimeoutMs"/,
    );
    expect(() => createRedisStreamStore({ url: "redis://x", appendBatchMs: -1 })).toThrow(
      /"appendBatchMs"/,
    );
  });
});
