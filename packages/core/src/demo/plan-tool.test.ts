import { describe, expect, it } from "vitest";
import { findExpression, planTool } from "./plan-tool.ts";

/** CPU microseconds of one call of `fn`, the least of several runs (noise only adds time). */
function cpuPerCall(fn: () => void, budgetMicros = 20_000): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    let calls = 0;
    const start = process.cpuUsage();
    let used = 0;
    do {
      fn();
      calls++;
      const { user, system } = process.cpuUsage(start);
      used = user + system;
    } while (used < budgetMicros / 5);
    best = Math.min(best, used / calls);
  }
  return best;
}

describe("planTool", () => {
  it("finds the expressions a model would hand to the calculator", () => {
    expect(planTool("Try asking me to calculate (12 + 30) * 2, or")).toEqual({
      toolName: "calculator",
      args: { expression: "(12 + 30) * 2" },
    });
    expect(findExpression("what is 2+2?")).toBe("2+2");
    expect(findExpression("a) -5 + -3 please")).toBe("-5 + -3");
    expect(findExpression("12 - 3 = 9")).toBe("12 - 3");
    expect(findExpression("2+2-(")).toBe("2+2");
    expect(findExpression("x=1.5*2 y")).toBe("1.5*2");
    expect(findExpression("room 101, floor 3")).toBeUndefined();
    expect(planTool("what time is it?")).toEqual({
      toolName: "current_time",
      args: { timeZone: "UTC" },
    });
    expect(planTool("hello")).toBeUndefined();
  });

  it("costs CPU linear in the prompt: 8x the digits cost far less than 64x the time", () => {
    // The old pattern backtracked quadratically: 32,000 digits took ~550 ms per frame (issue 8).
    const prompt = (digits: number) => `${"7".repeat(digits)} and ${"1 ".repeat(digits / 8)}`;
    const small = prompt(4000);
    const big = prompt(32_000);
    const perSmall = cpuPerCall(() => planTool(small));
    const perBig = cpuPerCall(() => planTool(big));
    // Linear: ~8x. Quadratic: ~64x. Anything under 24x is linear with room for a noisy machine.
    expect(perBig / perSmall).toBeLessThan(24);
    expect(perBig).toBeLessThan(50_000);
  });
});
