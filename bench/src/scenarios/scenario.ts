/**
 * What every scenario gets and returns, and the server-side CPU arithmetic they share.
 */
import type { ServerStats } from "../control.ts";
import type { Measurements } from "../metrics.ts";
import type { ServerProcess } from "../server-process.ts";
import type { Sizes } from "../sizes.ts";

/** The inputs of one scenario run. */
export interface ScenarioContext {
  server: ServerProcess;
  sizes: Sizes;
  /** Progress notes for the console. */
  log(message: string): void;
  /**
   * Scenario 2's stream count, shared by the servers of this run and runtime that are judged
   * against each other on the same workload (agentsocket and the floor; the Socket.IO binding
   * and plain Socket.IO): the first of them set up sets it after its calibration, and the others
   * measure with it. Without it a server measures at its own calibrated count.
   */
  sharedStreams?: { value: number | undefined };
}

/** A scenario: measures one server, returns its figures. */
export interface Scenario {
  id: ScenarioId;
  run(context: ScenarioContext): Promise<Measurements>;
}

/**
 * A scenario measured in rounds that alternate between every server of a runtime, so that each
 * server meets the same share of the machine's good and bad moments: a few seconds of a shared
 * host's stall land in every server's rounds, not in whichever server happened to run then.
 */
export interface InterleavedScenario {
  id: ScenarioId;
  /** How many rounds each server gets. */
  rounds(sizes: Sizes): number;
  /** Prepares one server (opens clients, calibrates) for its rounds. */
  open(context: ScenarioContext): Promise<Rounds>;
}

/** One server's part of an interleaved scenario. */
export interface Rounds {
  /** Measures round `index` (from 0). */
  round(index: number): Promise<void>;
  /** The figures over every round. */
  finish(): Measurements;
  /** Closes the clients it opened. */
  close(): void;
}

/**
 * Scenario ids, in the order they run: the first three on one server at a time, the last two in
 * rounds alternating between the servers (`InterleavedScenario`).
 */
export const SCENARIO_IDS = ["idle", "fanout", "streaming", "handshakes", "realistic"] as const;
/** A scenario's id. */
export type ScenarioId = (typeof SCENARIO_IDS)[number];
/**
 * Every scenario `--scenarios=` names: the per-server ones, then the cluster and resumable
 * against plain streaming, which start processes of their own after the servers' scenarios.
 */
export const BENCH_SCENARIO_IDS = [...SCENARIO_IDS, "cluster", "resume"] as const;
/** A scenario `--scenarios=` names. */
export type BenchScenarioId = (typeof BENCH_SCENARIO_IDS)[number];

/** Server CPU time (user + system) between two `stats` readings, in µs. */
export function cpuMicros(before: ServerStats, after: ServerStats): number {
  return (
    after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros
  );
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export const elapsed = (start: number): number => performance.now() - start;

/** Resolves once the server counts exactly `count` open connections. */
export async function serverConnections(
  server: ServerProcess,
  count: number,
  timeout: number,
): Promise<void> {
  const deadline = performance.now() + timeout;
  for (;;) {
    const { connections } = await server.stats();
    if (connections === count) return;
    if (performance.now() > deadline) {
      throw new Error(`server holds ${connections} connections, expected ${count}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
