/**
 * Streams started per user per minute (`maxStreamsPerMinute`), shared by the WebSocket and HTTP
 * agent handlers of one service: a sliding one-minute log of start times per user, at most
 * `maxStreamsPerMinute` entries each, swept once a minute so idle users cost nothing. With a
 * `limits` store (a Redis broker's, issue 13) a start this instance admits is also counted on the
 * store, across the cluster: one round trip; the store down counts locally (fail open).
 */
import type { LimitStore, MessageBroker } from "../cluster/broker.ts";
import { WebSocketError } from "../errors.ts";
import type { AgentOptions, AgentService } from "./service.ts";

/** The agent's rate options (part of `AgentOptions`). */
export interface AgentRateOptions {
  /**
   * Streams one user may start in any 60 s; the next `stream` is answered `RATE_LIMITED` (an
   * `error` frame, HTTP 429 on `POST …/agent/stream`) and never reaches the backend. Users are the
   * authenticated ones; an anonymous WebSocket connection counts as its own user, anonymous HTTP
   * requests are not counted. Counted per instance, or across the cluster with `limits`.
   * @default undefined (no limit)
   */
  maxStreamsPerMinute?: number;
  /**
   * Where `maxStreamsPerMinute` is counted across instances: `createServer` passes its broker's
   * (`createRedisBroker()` keeps one on Redis). This instance's own count is checked first.
   * @default undefined (this instance counts alone)
   */
  limits?: LimitStore;
}

const WINDOW_MS = 60_000;

/** @throws {TypeError} for a `maxStreamsPerMinute` that is not a positive integer. */
export function checkStreamRate(value: unknown): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1))
    throw new TypeError('The "maxStreamsPerMinute" option must be a positive integer');
}

/** @throws {TypeError} for a `limits` option that is not a {@link LimitStore}. */
export function checkLimitStore(value: unknown): void {
  if (value !== undefined && typeof (value as LimitStore | null)?.startStream !== "function")
    throw new TypeError('The "limits" option must be a LimitStore (with startStream)');
}

/** `agent` with the broker's limit store, when it keeps one and `agent` counts streams. */
export function withBrokerLimits(
  agent: AgentOptions | undefined,
  broker: MessageBroker | undefined,
): AgentOptions | undefined {
  const limits = broker?.limits;
  if (limits === undefined || agent?.maxStreamsPerMinute === undefined || agent.limits)
    return agent;
  return { ...agent, limits };
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

  /** Takes back the start recorded for `key` at `at` (the cluster refused it). */
  forget(key: string, at: number): void {
    const starts = this.#starts.get(key);
    const index = starts?.lastIndexOf(at) ?? -1;
    if (index >= 0) starts!.splice(index, 1);
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, starts] of this.#starts)
      if (starts.length === 0 || starts.at(-1)! <= now - WINDOW_MS) this.#starts.delete(key);
  }
}

const RATES = new WeakMap<AgentService, StreamRate>();

const refusal = (max: number, wait: number) =>
  new WebSocketError(`At most ${max} streams per minute: retry in ${Math.ceil(wait / 1000)} s`, {
    code: "RATE_LIMITED",
  });

/**
 * Counts a stream `key` (a user id, or a connection id for anonymous connections) starts on
 * `agent`: `undefined` when allowed, else the `RATE_LIMITED` error to answer with. Synchronous
 * when this instance decides (no `limits` store, or its own count refuses), else a promise of the
 * cluster's answer (which never rejects: the store failing allows).
 */
export function admitStream(
  agent: AgentService,
  key: string | undefined,
): WebSocketError | undefined | Promise<WebSocketError | undefined> {
  return count(agent, key, true);
}

function count(
  agent: AgentService,
  key: string | undefined,
  waits: boolean,
): WebSocketError | undefined | Promise<WebSocketError | undefined> {
  const max = agent.options.maxStreamsPerMinute;
  if (max === undefined || key === undefined) return undefined;
  let rate = RATES.get(agent);
  if (rate === undefined) RATES.set(agent, (rate = new StreamRate(max)));
  const now = Date.now();
  const wait = rate.admit(key, now);
  if (wait !== undefined) return refusal(max, wait);
  const store = agent.options.limits;
  if (store === undefined) return undefined;
  return store.startStream(key, max, WINDOW_MS).then(
    (clusterWait) => {
      if (clusterWait === undefined) return undefined;
      if (waits) rate.forget(key, now); // else the stream ran: it stays counted here
      return refusal(max, clusterWait);
    },
    () => undefined, // fail open: this instance's count admitted it
  );
}

/**
 * {@link admitStream} for callers that must answer at once (Socket.IO's stream start): this
 * instance's count decides; with a `limits` store the start is still counted across the cluster,
 * without waiting, so the other instances see it.
 */
export function streamLimit(
  agent: AgentService,
  key: string | undefined,
): WebSocketError | undefined {
  const verdict = count(agent, key, false);
  if (!(verdict instanceof Promise)) return verdict;
  void verdict; // never rejects
  return undefined;
}
