// The in-memory stream store passes the stream store suite, and its own options are checked.
import { describe, expect, it } from "vitest";
import { runStreamStoreSuite } from "../testing/stream-store-cases.ts";
import { createMemoryStreamStore } from "./memory-stream-store.ts";

// Two "instances" of a memory store share one process: both handles are the same store.
const shared = createMemoryStreamStore({ sweepIntervalMs: 50 });
runStreamStoreSuite({
  name: "memory",
  create: () => ({ ...shared, close: async () => {} }),
});

describe("createMemoryStreamStore", () => {
  it("names a bad option", () => {
    expect(() => createMemoryStreamStore({ maxStreams: 0 })).toThrow(/"maxStreams"/);
    expect(() => createMemoryStreamStore({ sweepIntervalMs: 1.5 })).toThrow(/"sweepIntervalMs"/);
  });

  it("drops the oldest finished streams past maxStreams, never an active one", async () => {
    const store = createMemoryStreamStore({ maxStreams: 2 });
    const done = await store.create({ ownerNode: "n1" });
    await store.end(done.streamId, { offset: 1, frame: "{}" });
    const active = await store.create({ ownerNode: "n1" });
    const third = await store.create({ ownerNode: "n1" });
    expect(await store.meta(done.streamId)).toBeUndefined();
    expect((await store.meta(active.streamId))?.state).toBe("active");
    await store.create({ ownerNode: "n1" });
    expect((await store.meta(active.streamId))?.state).toBe("active");
    expect((await store.meta(third.streamId))?.state).toBe("active");
    await store.close();
    await expect(store.create({ ownerNode: "n1" })).rejects.toThrow(/closed/);
  });
});
