/**
 * The per-turn frame budget on its own: a socket that can pause is held back past the budget,
 * or while its replies pile up unsent, and resumed once its frames are handled, in order; one
 * that cannot is never held back.
 */
import { describe, expect, it, vi } from "vitest";
import { budgetFrames } from "./frame-budget.ts";
import type { SocketLike } from "./types.ts";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function socket(pausable: boolean) {
  const calls: string[] = [];
  const base: SocketLike & { bufferedAmount: number; readyState: number } = {
    send: () => {},
    close: () => {},
    readyState: 1,
    bufferedAmount: 0,
  };
  if (pausable) {
    base.pause = () => calls.push("pause");
    base.resume = () => calls.push("resume");
  }
  return { socket: base, calls };
}

describe("budgetFrames", () => {
  it("delivers the budget at once, the rest over later turns in order, pausing meanwhile", async () => {
    const { socket: s, calls } = socket(true);
    const got: string[] = [];
    const deliver = budgetFrames(s, 3, (data) => got.push(String(data)));
    for (let i = 0; i < 8; i++) deliver(String(i), false);
    expect(got).toEqual(["0", "1", "2"]);
    expect(calls).toEqual(["pause"]);
    await nextTurn();
    expect(got).toHaveLength(6);
    await nextTurn();
    await nextTurn();
    expect(got).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(calls).toEqual(["pause", "resume"]);
    // A new turn has a fresh budget.
    deliver("8", false);
    expect(got.at(-1)).toBe("8");
  });

  it("handles no frame while more than holdAbove bytes are unsent, until half of it", async () => {
    const { socket: s, calls } = socket(true);
    const got: string[] = [];
    const deliver = budgetFrames(s, 100, (data) => got.push(String(data)), 1000);
    deliver("0", false);
    s.bufferedAmount = 1001; // the peer stopped reading its replies
    deliver("1", false);
    deliver("2", false);
    expect(got).toEqual(["0"]);
    expect(calls).toEqual(["pause"]);
    s.bufferedAmount = 600; // draining, not yet below half
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(got).toEqual(["0"]);
    expect(calls).toEqual(["pause"]);
    s.bufferedAmount = 500;
    await vi.waitFor(() => expect(calls).toEqual(["pause", "resume"]), { timeout: 2000 });
    expect(got).toEqual(["0", "1", "2"]);
    // A closed socket is never held: its frames go on (the connection drops them).
    s.bufferedAmount = 5000;
    s.readyState = 3;
    deliver("3", false);
    expect(got.at(-1)).toBe("3");
  });

  it("never holds back a socket without pause()/resume()", () => {
    const { socket: s } = socket(false);
    const got: string[] = [];
    const deliver = budgetFrames(s, 3, (data) => got.push(String(data)));
    for (let i = 0; i < 100; i++) deliver(String(i), false);
    expect(got).toHaveLength(100);
  });

  it("the manager refuses a maxFramesPerTurn below 1", async () => {
    const { WebSocketConnectionManager } = await import("./connection-manager.ts");
    expect(() => new WebSocketConnectionManager({ maxFramesPerTurn: 0 })).toThrow(
      /"maxFramesPerTurn"/,
    );
  });
});
