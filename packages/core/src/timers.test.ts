/**
 * `unrefTimer`: a Node timer stops holding the process open; a runtime's numeric timer id (browsers,
 * workers) is accepted as it is.
 */
import { describe, expect, it } from "vitest";
import { unrefTimer } from "./timers.ts";

describe("unrefTimer", () => {
  it("unrefs a Node timer", () => {
    const timer = setTimeout(() => {}, 60_000);
    unrefTimer(timer);
    expect(timer.hasRef()).toBe(false);
    clearTimeout(timer);
  });

  it("accepts timers without unref (browser and worker runtimes return numbers)", () => {
    expect(() => unrefTimer(42)).not.toThrow();
  });
});
