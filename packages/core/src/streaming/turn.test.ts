/**
 * The shared end-of-turn callback: every channel's callback of one turn runs from one
 * `setImmediate`, after the turn's microtasks; callbacks queued meanwhile wait for the next turn;
 * without `setImmediate` (browsers, workers) a 0 ms timeout stands in.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { atEndOfTurn, currentTurn, nextTurn } from "./turn.ts";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.resetModules();
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("atEndOfTurn", () => {
  it("runs after the current turn's code and microtasks, once each", async () => {
    const order: string[] = [];
    atEndOfTurn(() => order.push("end"));
    queueMicrotask(() => order.push("microtask"));
    order.push("sync");
    await turn();
    await turn();
    expect(order).toEqual(["sync", "microtask", "end"]);
  });

  it("batches every caller of a turn into one setImmediate, and schedules again next turn", async () => {
    const immediate = vi.spyOn(globalThis, "setImmediate");
    const ran: number[] = [];
    for (const n of [1, 2, 3]) atEndOfTurn(() => ran.push(n));
    expect(immediate).toHaveBeenCalledTimes(1);
    await turn();
    expect(ran).toEqual([1, 2, 3]);
    atEndOfTurn(() => ran.push(4));
    expect(immediate).toHaveBeenCalledTimes(3); // ours in turn(), and a new one for 4
    await turn();
    expect(ran).toEqual([1, 2, 3, 4]);
  });

  it("a callback queued while the batch runs belongs to the next turn", async () => {
    const ran: string[] = [];
    atEndOfTurn(() => {
      ran.push("first");
      atEndOfTurn(() => ran.push("next turn"));
    });
    atEndOfTurn(() => ran.push("second"));
    await turn();
    expect(ran).toEqual(["first", "second"]);
    await turn();
    expect(ran).toEqual(["first", "second", "next turn"]);
  });
});

describe("currentTurn", () => {
  it("is the same number all turn, changes once the turn is over, and schedules that end once", async () => {
    const immediate = vi.spyOn(globalThis, "setImmediate");
    const first = currentTurn();
    expect(currentTurn()).toBe(first);
    atEndOfTurn(() => {});
    expect(immediate).toHaveBeenCalledTimes(1); // one end of turn shared with atEndOfTurn
    await turn();
    const next = currentTurn();
    expect(next).not.toBe(first);
    expect(currentTurn()).toBe(next);
  });
});

describe("nextTurn", () => {
  it("uses setImmediate where it exists", async () => {
    const immediate = vi.spyOn(globalThis, "setImmediate");
    const done = new Promise<void>((resolve) => nextTurn(resolve));
    expect(immediate).toHaveBeenCalledTimes(1);
    await done;
  });

  it("falls back to a 0 ms timeout without setImmediate", async () => {
    vi.stubGlobal("setImmediate", undefined);
    const timeout = vi.spyOn(globalThis, "setTimeout");
    const fresh = await import("./turn.ts");
    const done = new Promise<void>((resolve) => fresh.nextTurn(resolve));
    expect(timeout).toHaveBeenCalledWith(expect.any(Function), 0);
    await done;
  });
});
