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

/** Where a {@link FrameBudget} hands the frames it lets through. */
export interface FrameTarget {
  receive(data: WebSocketData, isBinary: boolean): void;
}

/**
 * At most `perTurn` frames of one connection per event-loop turn, handed to `target`. Past that,
 * the socket is paused and the parsed frames wait for the next turn. A class (one object per
 * connection), not closures: an idle connection keeps it for its whole life.
 */
export class FrameBudget {
  #used = 0;
  #usedIn = -1;
  #draining = false;
  #holding = false;
  #resting = false;
  #waiting: [WebSocketData, boolean][] | undefined;

  /** `socket` must have `pause()` and `resume()`. */
  constructor(
    private readonly socket: SocketLike,
    private readonly perTurn: number,
    private readonly target: FrameTarget,
    private readonly holdAbove = Number.POSITIVE_INFINITY,
  ) {}

  take(data: WebSocketData, isBinary: boolean): void {
    if (!this.#draining && !this.#held() && this.#spend())
      return this.target.receive(data, isBinary);
    (this.#waiting ??= []).push([data, isBinary]);
    if (this.#draining) return;
    this.#draining = true;
    this.socket.pause!();
    setImmediate(() => this.#drain());
  }

  /**
   * Stops reading for `ms`: the socket is closing and its peer keeps sending (frames that are
   * dropped anyway). Reading again now and then finds the peer's close reply, if it sends one.
   */
  rest(ms: number): void {
    if (this.#resting) return;
    this.#resting = true;
    this.socket.pause!();
    const wake = () => {
      this.#resting = false;
      if (!this.#draining) this.socket.resume!();
    };
    unrefTimer(setTimeout(wake, ms));
  }

  #spend(): boolean {
    const now = currentTurn();
    if (this.#usedIn !== now) {
      this.#used = 0;
      this.#usedIn = now;
    }
    return this.#used++ < this.perTurn;
  }

  // Held from past `holdAbove` until half of it; a closing socket is never held (its frames are
  // dropped by the connection anyway, and its queue may never drain).
  #held(): boolean {
    const { socket } = this;
    if (socket.readyState !== OPEN) return (this.#holding = false);
    const unsent = socket.bufferedAmount;
    return (this.#holding = this.#holding ? unsent > this.holdAbove / 2 : unsent > this.holdAbove);
  }

  #drain(): void {
    const waiting = this.#waiting!;
    while (waiting.length > 0 && !this.#held() && this.#spend()) {
      const [data, isBinary] = waiting.shift()!;
      this.target.receive(data, isBinary);
    }
    if (this.#holding) return void unrefTimer(setTimeout(() => this.#drain(), HOLD_POLL_MS));
    if (waiting.length > 0) return void setImmediate(() => this.#drain());
    this.#draining = false;
    if (!this.#resting) this.socket.resume!();
  }
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
  if (socket.pause === undefined || socket.resume === undefined) return deliver;
  const budget = new FrameBudget(socket, perTurn, { receive: deliver }, holdAbove);
  return (data, isBinary) => budget.take(data, isBinary);
}
