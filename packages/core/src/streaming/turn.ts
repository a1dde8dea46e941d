/**
 * One end-of-turn callback shared by every streaming channel: a channel that wrote the first
 * piece of a turn asks to be called when the turn ends, and all of them are called from a single
 * `setImmediate`, instead of one timer per channel per token.
 */
const waiting: (() => void)[] = [];
let scheduled = false;
// Bumped when a turn's end runs: two pieces that see the same number arrived in the same turn.
let turn = 0;

/** Runs `fn` once, after the current turn of the event loop (including its microtasks). */
export const nextTurn: (fn: () => void) => void =
  typeof setImmediate === "function" ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0);

function endTurn(): void {
  scheduled = false;
  turn++;
  // Callbacks queued while these run belong to the next turn.
  const due = waiting.splice(0);
  for (const fn of due) fn();
}

/** Calls `fn` at the end of the current turn, batched with every other caller's. */
export function atEndOfTurn(fn: () => void): void {
  waiting.push(fn);
  if (scheduled) return;
  scheduled = true;
  nextTurn(endTurn);
}

/**
 * The number of the current turn, making sure its end is scheduled (so the number changes once
 * the turn is over). Costs a channel nothing per token beyond one comparison.
 */
export function currentTurn(): number {
  if (!scheduled) {
    scheduled = true;
    nextTurn(endTurn);
  }
  return turn;
}
