/**
 * How big each scenario is, in full mode and in smoke mode (tiny: proves the harness works).
 */

/** Sizes of every scenario and the number of runs each figure is the median of. */
export interface Sizes {
  mode: "full" | "smoke";
  /** Runs per server; every figure is the median over them. */
  runs: number;
  /** Scenario 1: clients × streams per client × tokens per stream, as fast as possible. */
  streaming: { clients: number; streamsPerClient: number; tokens: number };
  /**
   * Scenario 2: paced streams, one per connection, at ~half the server's capacity; `rounds`
   * measured rounds of `seconds` each, alternating with the other servers'.
   */
  realistic: {
    rate: number;
    seconds: number;
    rounds: number;
    minStreams: number;
    maxStreams: number;
  };
  /** Scenario 3: authenticated idle connections. */
  idle: { connections: number };
  /**
   * Scenario 4: `count` authenticated handshakes, `concurrency` in flight, in `rounds` batches
   * alternating with the other servers'.
   */
  handshakes: { count: number; rounds: number; concurrency: number };
  /** Scenario 5: `messages` broadcasts to `connections` clients. */
  fanout: { connections: number; messages: number };
  /**
   * The cluster scenario: `members` spread over 3 instances and `rooms`; a burst of `burst`
   * publishes per instance, then `rate` publishes/s (all instances) for `seconds`.
   */
  cluster: { members: number; rooms: number; burst: number; rate: number; seconds: number };
  /**
   * Resumable against plain streaming (resume.ts's measurements): `streams` concurrent streams of
   * `tokens` tokens, one frame per token; a resume catching up on a `backlog`-frame stream.
   */
  resume: { streams: number; tokens: number; backlog: number };
  /** Longest any one scenario may take, in ms. */
  scenarioTimeout: number;
  /** Longest the whole bench may take, in ms. */
  totalTimeout: number;
}

/** The full run that produces docs/benchmarks.md. */
export const FULL: Sizes = {
  mode: "full",
  runs: 3,
  streaming: { clients: 50, streamsPerClient: 4, tokens: 2000 },
  realistic: { rate: 30, seconds: 4, rounds: 5, minStreams: 100, maxStreams: 2000 },
  idle: { connections: 10_000 },
  handshakes: { count: 6000, rounds: 6, concurrency: 50 },
  fanout: { connections: 1000, messages: 100 },
  cluster: { members: 600, rooms: 20, burst: 300, rate: 200, seconds: 5 },
  resume: { streams: 20, tokens: 1000, backlog: 2000 },
  scenarioTimeout: 180_000,
  // Every scenario on Node 20 and Node 24: about twice the 8 minutes of one runtime, and more.
  totalTimeout: 60 * 60_000,
};

/**
 * The smoke run of `.ci/run`: every scenario on every server, tiny, on the host's Node only and
 * without the cluster (its six processes alone take ~20 s) unless asked for.
 */
export const SMOKE: Sizes = {
  mode: "smoke",
  runs: 1,
  streaming: { clients: 2, streamsPerClient: 2, tokens: 200 },
  realistic: { rate: 30, seconds: 1, rounds: 2, minStreams: 20, maxStreams: 20 },
  idle: { connections: 200 },
  handshakes: { count: 100, rounds: 2, concurrency: 20 },
  fanout: { connections: 50, messages: 10 },
  cluster: { members: 30, rooms: 3, burst: 30, rate: 100, seconds: 1 },
  resume: { streams: 4, tokens: 200, backlog: 200 },
  scenarioTimeout: 30_000,
  totalTimeout: 120_000,
};
