/**
 * Runs the scenarios: for each run, each runtime (Node 20, Node 24; the order rotates from run
 * to run), each server kind in a fresh process on that runtime (the order rotates too), the
 * per-server scenarios in order; then the cluster (each system) and resumable streaming on the
 * same runtime. A failing scenario is recorded and the bench goes on; every process is stopped,
 * or killed, before the next starts.
 */
import { fanout } from "./scenarios/fanout.ts";
import { handshakes } from "./scenarios/handshakes.ts";
import { idle } from "./scenarios/idle.ts";
import { realistic } from "./scenarios/realistic.ts";
import {
  serverConnections,
  type BenchScenarioId,
  type Scenario,
  type ScenarioId,
} from "./scenarios/scenario.ts";
import { streaming } from "./scenarios/streaming.ts";
import { startLoadMeter } from "./machine-load.ts";
import {
  addSamples,
  describeMachine,
  emptyRuntime,
  type BenchResults,
  type Failure,
  type RuntimeResults,
} from "./results.ts";
import type { Runtime } from "./runtimes.ts";
import { startServer, type ServerKind } from "./server-process.ts";
import type { Sizes } from "./sizes.ts";
import { clusterSystems, measureCluster, measureResume, measuresResume } from "./suites.ts";
import { withTimeout } from "./timeout.ts";

const SCENARIOS: Record<ScenarioId, Scenario> = { idle, handshakes, fanout, streaming, realistic };

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

/** The items of `list` starting at `run - 1`, wrapping around. */
const rotate = <T>(list: readonly T[], run: number): T[] =>
  list.map((_, i) => list[(i + run - 1) % list.length]!);

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
      // Plain Socket.IO and the binding carry the same paced workload (issue 15's comparison).
      const pairedStreams: { value: number | undefined } = { value: undefined };
      for (const kind of rotate(servers, run)) {
        const paired = kind === "socketio" || kind === "socketio-agent" ? pairedStreams : undefined;
        await runServer(plan, runtime, kind, record, prefix(kind), fail, paired);
      }
      if (scenarios.includes("cluster")) {
        for (const system of rotate(clusterSystems(servers), run)) {
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

/** The per-server scenarios of one run on one server kind, in a fresh process. */
async function runServer(
  plan: BenchPlan,
  runtime: Runtime,
  kind: ServerKind,
  record: RuntimeResults,
  prefix: string,
  fail: (failure: Omit<Failure, "run" | "runtime">) => void,
  pairedStreams?: { value: number | undefined },
): Promise<void> {
  const { sizes } = plan;
  const ids = plan.scenarios.filter((id): id is ScenarioId => id in SCENARIOS);
  if (ids.length === 0) return;
  const profile = plan.cpuProfileDir && `${plan.cpuProfileDir}/${runtime.id}/${kind}`;
  let server;
  try {
    server = await startServer(kind, {
      execPath: runtime.execPath,
      ...(profile ? { cpuProfileDir: profile } : {}),
    });
  } catch (error) {
    return fail({ server: kind, scenario: "start", error: `failed to start: ${String(error)}` });
  }
  try {
    for (const id of ids) {
      const context = {
        server,
        sizes,
        log: (message: string) => plan.log(`${prefix} ${id}: ${message}`),
        ...(pairedStreams ? { pairedStreams } : {}),
      };
      try {
        const values = await withTimeout(
          SCENARIOS[id].run(context),
          sizes.scenarioTimeout,
          `${id} on ${kind}`,
        );
        addSamples(record.samples, kind, values);
        await serverConnections(server, 0, 30_000);
      } catch (error) {
        fail({ server: kind, scenario: id, error: String(error) });
        // The server may be in any state now; the next scenarios need a clean one.
        break;
      }
    }
  } finally {
    await server.stop();
  }
}
