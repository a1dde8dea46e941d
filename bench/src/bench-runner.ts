/**
 * Runs the scenarios: for each run, each server kind in a fresh process (the order rotates from
 * run to run), the scenarios in order. A failing scenario is recorded and the bench goes on;
 * every server process is stopped, or killed, before the next starts.
 */
import { fanout } from "./scenarios/fanout.ts";
import { handshakes } from "./scenarios/handshakes.ts";
import { idle } from "./scenarios/idle.ts";
import { realistic } from "./scenarios/realistic.ts";
import { serverConnections, type Scenario, type ScenarioId } from "./scenarios/scenario.ts";
import { streaming } from "./scenarios/streaming.ts";
import { startLoadMeter } from "./machine-load.ts";
import { addSamples, describeMachine, type BenchResults } from "./results.ts";
import { startServer, type ServerKind } from "./server-process.ts";
import type { Sizes } from "./sizes.ts";
import { withTimeout } from "./timeout.ts";

const SCENARIOS: Record<ScenarioId, Scenario> = { idle, handshakes, fanout, streaming, realistic };

/** What to run. */
export interface BenchPlan {
  sizes: Sizes;
  servers: ServerKind[];
  scenarios: ScenarioId[];
  /** Directory for `--cpu-prof` profiles of the server processes (one folder per kind). */
  cpuProfileDir?: string;
  log(message: string): void;
}

/** Runs the plan; resolves with every sample and failure. */
export async function runBench(plan: BenchPlan): Promise<BenchResults> {
  const { sizes, servers, scenarios, log } = plan;
  const started = performance.now();
  const otherLoad = startLoadMeter();
  const results: BenchResults = {
    mode: sizes.mode,
    date: new Date().toISOString(),
    machine: describeMachine(),
    sizes,
    servers,
    scenarios,
    samples: {},
    failures: [],
    durationSeconds: 0,
  };
  for (let run = 1; run <= sizes.runs; run++) {
    const order = servers.map((_, i) => servers[(i + run - 1) % servers.length]!);
    for (const kind of order) {
      const prefix = `[run ${run}/${sizes.runs}] ${kind}`;
      const profile = plan.cpuProfileDir && `${plan.cpuProfileDir}/${kind}`;
      let server;
      try {
        server = await startServer(kind, profile ? { cpuProfileDir: profile } : {});
      } catch (error) {
        results.failures.push({ run, server: kind, scenario: "start", error: String(error) });
        log(`${prefix}: failed to start: ${String(error)}`);
        continue;
      }
      try {
        for (const id of scenarios) {
          const context = {
            server,
            sizes,
            log: (message: string) => log(`${prefix} ${id}: ${message}`),
          };
          try {
            const values = await withTimeout(
              SCENARIOS[id].run(context),
              sizes.scenarioTimeout,
              `${id} on ${kind}`,
            );
            addSamples(results, kind, values);
            await serverConnections(server, 0, 30_000);
          } catch (error) {
            results.failures.push({ run, server: kind, scenario: id, error: String(error) });
            log(`${prefix} ${id}: FAILED: ${String(error)}`);
            // The server may be in any state now; the next scenarios need a clean one.
            break;
          }
        }
      } finally {
        await server.stop();
      }
    }
  }
  results.durationSeconds = Math.round((performance.now() - started) / 1000);
  const other = otherLoad();
  if (other !== undefined) results.otherProcessesCores = Math.round(other * 100) / 100;
  return results;
}
