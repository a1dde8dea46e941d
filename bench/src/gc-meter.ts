/**
 * Garbage-collection pauses of this process, added up as they happen (how long the main thread
 * stood still), and a full collection on demand. The servers report theirs with their stats; the load process reads its own,
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

/**
 * A full collection of this process now, when it runs with `--expose-gc` (`pnpm bench` does):
 * before a measured round, so that the garbage of the rounds before it is not collected during
 * this one, in a pause that would stall every receipt.
 */
export function collectNow(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
