/**
 * One poll timer for every streaming channel waiting for its transport to drain, instead of one
 * 5 ms timer per waiting channel: a thousand stalled clients cost one timer, not 200,000 timer
 * callbacks a second.
 */
import { unrefTimer } from "../timers.ts";

/** How often a waiting channel looks at its transport again. */
export const DRAIN_POLL_MS = 5;

/** A waiting channel's look at its transport: true once it is done waiting. */
type Check = () => boolean;

const waiting = new Set<Check>();
let scheduled = false;

function tick(): void {
  scheduled = false;
  // A check added while these run is looked at in this pass too (Set iteration sees it): fine.
  for (const check of waiting) if (check()) waiting.delete(check);
  if (waiting.size > 0) schedule();
}

function schedule(): void {
  scheduled = true;
  unrefTimer(setTimeout(tick, DRAIN_POLL_MS));
}

/** Runs `check` now, then every {@link DRAIN_POLL_MS} ms with every other waiter, until it returns true. */
export function pollUntil(check: Check): void {
  if (check()) return;
  waiting.add(check);
  if (!scheduled) schedule();
}
