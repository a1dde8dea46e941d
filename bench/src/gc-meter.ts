/**
 * Garbage-collection pauses of this process, added up as they happen: how long the main thread
 * stood still. The servers report theirs with their stats; the load process reads its own,
 * because its pauses delay every receipt it timestamps (the latency scenario's tail).
 */
import { PerformanceObserver } from "node:perf_hooks";

let observing = false;
let pauseMs = 0;

/** Milliseconds this process has spent paused in GC since the first call (which starts counting). */
export function gcPauseMs(): number {
  if (!observing) {
    observing = true;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) pauseMs += entry.duration;
    }).observe({ entryTypes: ["gc"] });
  }
  return pauseMs;
}
