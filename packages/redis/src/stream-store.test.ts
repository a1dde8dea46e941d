// The Redis stream store passes the stream store suite on a real redis-server (two store
// instances: the second one reads, cancels and touches what the first one wrote).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStreamStoreSuite } from "@agentsocket/core/testing";
import { createRedisStreamStore } from "./index.ts";
import { startRedis, type RedisProcess } from "./testing.ts";

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
