/**
 * The in-memory reconnect store: the reconnect window, the bound on how many records are kept,
 * and a claim that succeeds once, for the same user only.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryReconnectStore } from "./known-clients.ts";

afterEach(() => {
  vi.useRealTimers();
});

const EMPTY = { rooms: [], streams: [] };

describe("the memory reconnect store", () => {
  it("forgets a record once the window has passed", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = createMemoryReconnectStore({ max: 10 });
    await store.park("a", "alice", EMPTY, 30_000);
    await store.park("b", "alice", EMPTY, 30_000);
    vi.setSystemTime(1_000_000 + 29_999);
    expect(await store.claim("a", "alice")).toEqual(EMPTY);
    vi.setSystemTime(1_000_000 + 30_000);
    expect(await store.claim("b", "alice")).toBeUndefined();
  });

  it("keeps at most `max` records, dropping the oldest", async () => {
    const store = createMemoryReconnectStore({ max: 2 });
    for (const id of ["a", "b", "c"]) await store.park(id, undefined, EMPTY, 60_000);
    expect(await store.claim("a", undefined)).toBeUndefined();
    expect(await store.claim("b", undefined)).toBeDefined();
    expect(await store.claim("c", undefined)).toBeDefined();
  });

  it("a record is claimed once, and only by its user", async () => {
    const store = createMemoryReconnectStore({ max: 10 });
    const record = { rooms: ["r"], streams: [] };
    await store.park("a", "alice", record, 60_000);
    expect(await store.claim("a", "mallory")).toBeUndefined();
    expect(await store.claim("a", undefined)).toBeUndefined();
    expect(await store.claim("a", "alice")).toEqual(record);
    expect(await store.claim("a", "alice")).toBeUndefined();
  });
});
