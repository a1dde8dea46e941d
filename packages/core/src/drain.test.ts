/**
 * `manager.drain()` piece by piece, over fake sockets: a throwing `onDrain` counts as idle and is
 * reported, paths without system frames get the 1012 close without the JSON frame, a handler
 * that never settles its work is closed `closeTimeout` after the deadline, and a bad `graceMs` is
 * a TypeError. Real servers, frameworks and streams are in `packages/server/src/drain.test.ts`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { acceptFakeSocket as accepted } from "./testing/fake-socket.ts";

beforeEach(() => {
  vi.useFakeTimers({ now: 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("manager.drain()", () => {
  it("treats a throwing onDrain as idle and reports it", async () => {
    const { manager, socket, errors } = accepted({}, undefined, {
      onDrain: () => {
        throw new Error("boom");
      },
    });
    const drained = manager.drain({ graceMs: 10_000 });
    expect(socket.closes).toEqual([{ code: 1012, reason: "Server restarting" }]);
    expect(socket.frames().at(-1)).toEqual({ type: "shutdown", reconnect: true });
    expect(errors.map((e) => e.message)).toEqual(["onDrain failed: boom"]);
    expect(manager.shuttingDown).toBe(true);
    await vi.advanceTimersByTimeAsync(2000); // closeTimeout: the fake peer never answers
    await drained;
  });

  it("closes without the shutdown frame on a path without system frames", async () => {
    const { manager, socket } = accepted({ systemFrames: false });
    const drained = manager.drain({ graceMs: 0 });
    expect(socket.sent).toEqual([]);
    expect(socket.closes).toEqual([{ code: 1012, reason: "Server restarting" }]);
    await vi.advanceTimersByTimeAsync(2000);
    await drained;
  });

  it("closes work that never ends closeTimeout after graceMs", async () => {
    let cut = false;
    const { manager, socket } = accepted({ closeTimeout: 500 }, undefined, {
      onDrain: (_connection, deadline) => {
        deadline.addEventListener("abort", () => (cut = true));
        return { done: new Promise(() => {}) };
      },
    });
    const drained = manager.drain({ graceMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(cut).toBe(false);
    expect(socket.closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(cut).toBe(true);
    expect(socket.closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(socket.closes).toEqual([{ code: 1012, reason: "Server restarting" }]);
    await vi.advanceTimersByTimeAsync(500);
    await drained;
  });

  it("throws a TypeError naming graceMs", () => {
    const { manager } = accepted();
    expect(() => manager.drain({ graceMs: 1.5 })).toThrow(/"graceMs" option/);
    expect(manager.shuttingDown).toBe(false);
  });
});
