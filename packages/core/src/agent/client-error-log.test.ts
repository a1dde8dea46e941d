import { afterEach, describe, expect, it, vi } from "vitest";
import { createClientErrorLog } from "./client-error-log.ts";

afterEach(() => vi.useRealTimers());

describe("createClientErrorLog", () => {
  it("writes maxLines per window, then one summary line when the next window opens", () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const log = createClientErrorLog({ maxLines: 2, windowMs: 1000, write: (l) => lines.push(l) });
    for (let i = 0; i < 5; i++) log(`line ${i}`);
    expect(lines).toEqual(["line 0", "line 1"]);
    vi.setSystemTime(1000);
    log("line 5");
    expect(lines).toEqual([
      "line 0",
      "line 1",
      "[agentsocket] 3 more client errors were not logged (rate limit)",
      "line 5",
    ]);
  });
});
