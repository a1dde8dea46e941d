// The Redis stream store passes the stream store suite on a real redis-server (two store
// instances: the second one reads, cancels and touches what the first one wrote).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
