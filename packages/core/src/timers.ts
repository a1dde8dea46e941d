/**
 * Timers that never keep the process alive: every timer agentsocket starts is `unref()`ed, so a
 * server's `stop()` is all it takes for Node to exit.
 */

/** Marks a timer as not holding the event loop open (a no-op on runtimes without `unref`). */
export function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
