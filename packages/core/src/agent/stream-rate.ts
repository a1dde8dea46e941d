/**
 * Streams started per user per minute (`maxStreamsPerMinute`), shared by the WebSocket and HTTP
 * agent handlers of one service: a sliding one-minute log of start times per user, at most
 * `maxStreamsPerMinute` entries each, swept once a minute so idle users cost nothing.
 */
import { WebSocketError } from "../errors.ts";
import type { AgentService } from "./service.ts";

/** The agent's rate options (part of `AgentOptions`). */
export interface AgentRateOptions {
  /**
   * Streams one user may start in any 60 s; the next `stream` is answered `RATE_LIMITED` (an
   * `error` frame, HTTP 429 on `POST …/agent/stream`) and never reaches the backend. Users are the
   * authenticated ones; an anonymous WebSocket connection counts as its own user, anonymous HTTP
   * requests are not counted. Counted per instance. @default undefined (no limit)
   */
  maxStreamsPerMinute?: number;
}

const WINDOW_MS = 60_000;

/** @throws {TypeError} for a `maxStreamsPerMinute` that is not a positive integer. */
export function checkStreamRate(value: unknown): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1))
    throw new TypeError('The "maxStreamsPerMinute" option must be a positive integer');
}

class StreamRate {
  readonly #starts = new Map<string, number[]>();
  #sweptAt = Date.now();

  constructor(private readonly max: number) {}

  /** Records a start for `key` at `now`, or returns how long until one is allowed. */
  admit(key: string, now: number): number | undefined {
    if (now - this.#sweptAt >= WINDOW_MS) this.#sweep(now);
    let starts = this.#starts.get(key);
    if (starts === undefined) this.#starts.set(key, (starts = []));
    while (starts.length > 0 && starts[0]! <= now - WINDOW_MS) starts.shift();
    if (starts.length >= this.max) return starts[0]! + WINDOW_MS - now;
    starts.push(now);
    return undefined;
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, starts] of this.#starts)
      if (starts.length === 0 || starts.at(-1)! <= now - WINDOW_MS) this.#starts.delete(key);
  }
}

const RATES = new WeakMap<AgentService, StreamRate>();

/**
 * Counts a stream `key` (a user id, or a connection id for anonymous connections) starts on
 * `agent`: `undefined` when allowed, else the `RATE_LIMITED` error to answer with.
 */
export function streamLimit(
  agent: AgentService,
  key: string | undefined,
): WebSocketError | undefined {
  const max = agent.options.maxStreamsPerMinute;
  if (max === undefined || key === undefined) return undefined;
  let rate = RATES.get(agent);
  if (rate === undefined) RATES.set(agent, (rate = new StreamRate(max)));
  const wait = rate.admit(key, Date.now());
  if (wait === undefined) return undefined;
  const message = `At most ${max} streams per minute: retry in ${Math.ceil(wait / 1000)} s`;
  return new WebSocketError(message, { code: "RATE_LIMITED" });
}
