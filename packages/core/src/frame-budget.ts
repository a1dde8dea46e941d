/**
 * A per-connection budget of frames per event-loop turn (issue 8, the flood). A transport hands
 * over everything it read at once: `ws` parses a whole 64 KiB read (hundreds of small frames)
 * in one go, and Node reads a busy socket up to 32 times per poll, so one flooding connection
 * kept the loop for hundreds of milliseconds while other clients waited. Past the budget, the
 * socket is paused (the rest of its bytes stay in the kernel) and the frames already parsed wait
 * for the next turn, in order; reading resumes once they are handled.
 */
import type { SocketLike, WebSocketData } from "./types.ts";

type Deliver = (data: WebSocketData, isBinary: boolean) => void;

// One clock for every connection: a turn ends at the next check phase, after this poll's reads.
let turn = 0;
let ticking = false;
function currentTurn(): number {
  if (!ticking) {
    ticking = true;
    setImmediate(() => {
      turn++;
      ticking = false;
    });
  }
  return turn;
}

/**
 * Wraps `deliver` so that at most `perTurn` frames of this connection are handled per
 * event-loop turn. A socket without `pause()`/`resume()` cannot be held back, so its frames are
 * delivered as they come (deferring them would queue without bound).
 */
export function budgetFrames(socket: SocketLike, perTurn: number, deliver: Deliver): Deliver {
  const { pause, resume } = socket;
  if (pause === undefined || resume === undefined) return deliver;
  let used = 0;
  let usedIn = -1;
  let draining = false;
  const waiting: [WebSocketData, boolean][] = [];

  const spend = (): boolean => {
    const now = currentTurn();
    if (usedIn !== now) [used, usedIn] = [0, now];
    return used++ < perTurn;
  };
  const drain = () => {
    while (waiting.length > 0 && spend()) {
      const [data, isBinary] = waiting.shift()!;
      deliver(data, isBinary);
    }
    if (waiting.length > 0) return void setImmediate(drain);
    draining = false;
    resume.call(socket);
  };

  return (data, isBinary) => {
    if (!draining && spend()) return deliver(data, isBinary);
    waiting.push([data, isBinary]);
    if (draining) return;
    draining = true;
    pause.call(socket);
    setImmediate(drain);
  };
}
