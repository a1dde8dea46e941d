/**
 * Runs the scenarios: for each run, each runtime (Node 20, Node 24; the order rotates from run
 * to run), the per-server scenarios on a fresh process of every server kind (server-rounds.ts;
 * the order of the kinds rotates too); then the cluster (each system) and resumable streaming on
 * the same runtime. A failing scenario is recorded and the bench goes on; every process is
 * stopped, or killed, before the next ones start.
 */
import { SCENARIO_IDS, type BenchScenarioId } from "./scenarios/scenario.ts";
import { startLoadMeter } from "./machine-load.ts";
import {
  addSamples,
  describeMachine,
  emptyRuntime,
  type BenchResults,
  type Failure,
} from "./results.ts";
import type { Runtime } from "./runtimes.ts";
import type { ServerKind } from "./server-process.ts";
import { rotate, runServers } from "./server-rounds.ts";
import type { Sizes } from "./sizes.ts";
import { clusterSystems, measureCluster, measureResume, measuresResume } from "./suites.ts";
import { withTimeout } from "./timeout.ts";

/** What to run. */
export interface BenchPlan {
  sizes: Sizes;
  servers: ServerKind[];
  scenarios: BenchScenarioId[];
  /** The runtimes the servers run on, with their versions. */
  runtimes: Runtime[];
  /** Directory for `--cpu-prof` profiles of the server processes (one folder per kind). */
  cpuProfileDir?: string;
  log(message: string): void;
}

/** Runs the plan; resolves with every sample and failure. */
export async function runBench(plan: BenchPlan): Promise<BenchResults> {
  const { sizes, servers, scenarios, runtimes } = plan;
  const started = performance.now();
  const otherLoad = startLoadMeter();
  const results: BenchResults = {
    mode: sizes.mode,
    date: new Date().toISOString(),
    machine: describeMachine(),
    sizes,
    servers,
    scenarios,
    runtimes: runtimes.map((runtime) => runtime.id),
    byRuntime: Object.fromEntries(runtimes.map((r) => [r.id, emptyRuntime(r.version)])),
    failures: [],
    durationSeconds: 0,
  };
  for (let run = 1; run <= sizes.runs; run++) {
    for (const runtime of rotate(runtimes, run)) {
      const record = results.byRuntime[runtime.id]!;
      const tag = runtimes.length > 1 ? ` ${runtime.id}` : "";
      const prefix = (what: string) => `[run ${run}/${sizes.runs}${tag}] ${what}`;
      const fail = (failure: Omit<Failure, "run" | "runtime">) => {
        results.failures.push({ run, runtime: runtime.id, ...failure });
        plan.log(`${prefix(failure.server)} ${failure.scenario}: FAILED: ${failure.error}`);
      };
      await runServers({
        sizes,
        runtime,
        kinds: rotate(servers, run - 1),
        scenarios: SCENARIO_IDS.filter((id) => scenarios.includes(id)),
        record,
        ...(plan.cpuProfileDir ? { cpuProfileDir: plan.cpuProfileDir } : {}),
        log: (kind, message) => plan.log(`${prefix(kind)} ${message}`),
        fail,
      });
      if (scenarios.includes("cluster")) {
        for (const system of rotate(clusterSystems(servers), run - 1)) {
          const log = (message: string) => plan.log(`${prefix("cluster")} ${message}`);
          try {
            const values = await withTimeout(
              measureCluster(system, runtime, sizes, log),
              sizes.scenarioTimeout,
              `cluster ${system}`,
            );
            addSamples(record.cluster, system, values);
          } catch (error) {
            fail({ server: system, scenario: "cluster", error: String(error) });
          }
        }
      }
      if (scenarios.includes("resume") && measuresResume(servers)) {
        const log = (message: string) => plan.log(`${prefix("resume")} ${message}`);
        try {
          const values = await withTimeout(
            measureResume(runtime, sizes, log),
            sizes.scenarioTimeout,
            "resume",
          );
          for (const [mode, measured] of Object.entries(values))
            addSamples(record.resume, mode as keyof typeof values, measured);
        } catch (error) {
          fail({ server: "resume", scenario: "resume", error: String(error) });
        }
      }
    }
  }
  results.durationSeconds = Math.round((performance.now() - started) / 1000);
  const other = otherLoad();
  if (other !== undefined) results.otherProcessesCores = Math.round(other * 100) / 100;
  return results;
}
