/**
 * A per-connection budget of frames per event-loop turn (issue 8, the flood). A transport hands
 * over everything it read at once: `ws` parses a whole 64 KiB read (hundreds of small frames)
 * in one go, and Node reads a busy socket up to 32 times per poll, so one flooding connection
 * kept the loop for hundreds of milliseconds while other clients waited. Past the budget, the
 * socket is paused (the rest of its bytes stay in the kernel) and the frames already parsed wait
 * for the next turn, in order; reading resumes once they are handled.
 *
 * The same pause holds back a connection that does not read its replies: while more than
 * `holdAbove` bytes are queued unsent to it, none of its frames is handled and it is not read
 * (the frames already parsed wait), until its queue drains to half of that. A client that sends
 * requests without reading their answers gets no more answers queued than that: the server
 * neither keeps refusing its frames (each refusal made an `error` frame that piled up unsent
 * until `maxBufferedBytes` dropped the connection) nor holds megabytes of tiny writes for it.
 */
import { unrefTimer } from "./timers.ts";
import { OPEN, type SocketLike, type WebSocketData } from "./types.ts";

type Deliver = (data: WebSocketData, isBinary: boolean) => void;

/** How often a held-back connection's unsent bytes are checked, in ms. */
const HOLD_POLL_MS = 5;

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
 * event-loop turn, and none while more than `holdAbove` bytes are queued unsent to it. A socket
 * without `pause()`/`resume()` cannot be held back, so its frames are delivered as they come
 * (deferring them would queue without bound).
 */
export function budgetFrames(
  socket: SocketLike,
  perTurn: number,
  deliver: Deliver,
  holdAbove = Number.POSITIVE_INFINITY,
): Deliver {
  const { pause, resume } = socket;
  if (pause === undefined || resume === undefined) return deliver;
  let used = 0;
  let usedIn = -1;
  let draining = false;
  let holding = false;
  const waiting: [WebSocketData, boolean][] = [];

  const spend = (): boolean => {
    const now = currentTurn();
    if (usedIn !== now) [used, usedIn] = [0, now];
    return used++ < perTurn;
  };
  // Held from past `holdAbove` until half of it; a closing socket is never held (its frames
  // are dropped by the connection anyway, and its queue may never drain).
  const held = (): boolean => {
    if (socket.readyState !== OPEN) return (holding = false);
    const unsent = socket.bufferedAmount;
    return (holding = holding ? unsent > holdAbove / 2 : unsent > holdAbove);
  };
  const drain = () => {
    while (waiting.length > 0 && !held() && spend()) {
      const [data, isBinary] = waiting.shift()!;
      deliver(data, isBinary);
    }
    if (holding) return void unrefTimer(setTimeout(drain, HOLD_POLL_MS));
    if (waiting.length > 0) return void setImmediate(drain);
    draining = false;
    resume.call(socket);
  };

  return (data, isBinary) => {
    if (!draining && !held() && spend()) return deliver(data, isBinary);
    waiting.push([data, isBinary]);
    if (draining) return;
    draining = true;
    pause.call(socket);
    setImmediate(drain);
  };
}
