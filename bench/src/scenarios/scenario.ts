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
   * Scenario 2's stream count shared with a peer server of this run and runtime: the Socket.IO
   * binding is judged against plain Socket.IO on the same workload, so whichever of the two runs
   * first sets it after its calibration and the other measures with it.
   */
  pairedStreams?: { value: number | undefined };
}

/** A scenario: measures one server, returns its figures. */
export interface Scenario {
  id: ScenarioId;
  run(context: ScenarioContext): Promise<Measurements>;
}

/** Scenario ids, in the order they run on a fresh server process. */
export const SCENARIO_IDS = ["idle", "handshakes", "fanout", "streaming", "realistic"] as const;
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
