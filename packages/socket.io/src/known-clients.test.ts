/**
 * The clients `ai:reconnect` may name: the reconnect window and the bound on how many are kept.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createKnownClients } from "./known-clients.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("known clients", () => {
  it("forgets a disconnected client once the window has passed", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const known = createKnownClients({ windowMs: 30_000, max: 10 });
    known.connected("a", "alice");
    known.connected("b", "alice");
    known.disconnected("a");
    known.disconnected("b");
    vi.setSystemTime(1_000_000 + 29_999);
    expect(known.claim("a", "alice")).toEqual({ rooms: [], streams: [] });
    vi.setSystemTime(1_000_000 + 30_000);
    expect(known.claim("b", "alice")).toBeUndefined();
  });

  it("keeps at most `max` disconnected clients, dropping the oldest", () => {
    const known = createKnownClients({ windowMs: 60_000, max: 2 });
    for (const id of ["a", "b", "c"]) {
      known.connected(id, undefined);
      known.disconnected(id);
    }
    expect(known.claim("a", undefined)).toBeUndefined();
    expect(known.claim("b", undefined)).toBeDefined();
    expect(known.claim("c", undefined)).toBeDefined();
  });

  it("a live client is claimed once it has disconnected, once, and only by its user", () => {
    const known = createKnownClients({ windowMs: 60_000, max: 10 });
    known.connected("a", "alice");
    expect(known.claim("a", "mallory")).toBeUndefined();
    expect(known.claim("a", "alice")).toBe("live");
    known.disconnected("a", { rooms: ["r"], streams: [] });
    expect(known.claim("a", "alice")).toEqual({ rooms: ["r"], streams: [] });
    expect(known.claim("a", "alice")).toBeUndefined();
  });
});
