/**
 * Garbage-collection pauses of this process, counted as they happen: how many and how long the
 * main thread stood still. The servers report theirs with their stats; the load process reads
 * its own, because its pauses delay every receipt it timestamps (the latency scenario's tail).
 */
import { PerformanceObserver } from "node:perf_hooks";

/** Collections and main-thread pause so far. */
export interface GcTotals {
  count: number;
  pauseMs: number;
}

let totals: GcTotals | undefined;

/** This process's GC totals since the first call (which starts counting). */
export function gcTotals(): GcTotals {
  if (!totals) {
    const counted: GcTotals = { count: 0, pauseMs: 0 };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        counted.count++;
        counted.pauseMs += entry.duration;
      }
    }).observe({ entryTypes: ["gc"] });
    totals = counted;
  }
  return { ...totals };
}
