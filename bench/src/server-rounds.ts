/**
 * One run of the per-server scenarios on one runtime: every server kind starts in a fresh process
 * at once; idle, fan-out and streaming measure one server at a time (the others sit idle, with
 * no connections), then handshakes and paced streaming measure every server in rounds that
 * alternate between them (`InterleavedScenario`), so the machine's bad seconds fall on all of
 * them alike. A server whose scenario fails is recorded and sits out the rest of the run; every
 * process is stopped, or killed, at the end.
 */
import { fanout } from "./scenarios/fanout.ts";
import { handshakes } from "./scenarios/handshakes.ts";
import { idle } from "./scenarios/idle.ts";
import { realistic } from "./scenarios/realistic.ts";
import {
  serverConnections,
  type InterleavedScenario,
  type Rounds,
  type Scenario,
  type ScenarioContext,
  type ScenarioId,
} from "./scenarios/scenario.ts";
import { streaming } from "./scenarios/streaming.ts";
import { addSamples, type Failure, type RuntimeResults } from "./results.ts";
import type { Runtime } from "./runtimes.ts";
import {
  speaksWireProtocol,
  startServer,
  type ServerKind,
  type ServerProcess,
} from "./server-process.ts";
import type { Sizes } from "./sizes.ts";
import { withTimeout } from "./timeout.ts";

const ONE_AT_A_TIME: Partial<Record<ScenarioId, Scenario>> = { idle, fanout, streaming };
const INTERLEAVED: Partial<Record<ScenarioId, InterleavedScenario>> = { handshakes, realistic };

/** What one run on one runtime needs. */
export interface ServerRun {
  sizes: Sizes;
  runtime: Runtime;
  /** The server kinds, in this run's order. */
  kinds: ServerKind[];
  /** The scenarios asked for, in `SCENARIO_IDS` order. */
  scenarios: readonly ScenarioId[];
  record: RuntimeResults;
  /** Directory for `--cpu-prof` profiles (a folder per runtime and kind). */
  cpuProfileDir?: string;
  /** Logs a line about `kind`. */
  log(kind: ServerKind, message: string): void;
  fail(failure: Omit<Failure, "run" | "runtime">): void;
}

/** The items of `list` starting at `shift`, wrapping around. */
export const rotate = <T>(list: readonly T[], shift: number): T[] =>
  list.map((_, i) => list[(i + shift) % list.length]!);

/** Runs every per-server scenario of `run` on fresh processes of its kinds. */
export async function runServers(run: ServerRun): Promise<void> {
  const { sizes, scenarios } = run;
  if (!scenarios.some((id) => ONE_AT_A_TIME[id] ?? INTERLEAVED[id])) return;
  const started: ServerProcess[] = [];
  // The servers still measuring this run.
  const servers = new Map<ServerKind, ServerProcess>();
  try {
    for (const kind of run.kinds) {
      const profile = run.cpuProfileDir && `${run.cpuProfileDir}/${run.runtime.id}/${kind}`;
      try {
        const server = await startServer(kind, {
          execPath: run.runtime.execPath,
          ...(profile ? { cpuProfileDir: profile } : {}),
        });
        started.push(server);
        servers.set(kind, server);
      } catch (error) {
        run.fail({ server: kind, scenario: "start", error: `failed to start: ${String(error)}` });
      }
    }
    // One paced workload per comparison: agentsocket and the floor; the binding and Socket.IO.
    const workloads: Record<"wire" | "socketio", { value: number | undefined }> = {
      wire: { value: undefined },
      socketio: { value: undefined },
    };
    const context = (server: ServerProcess, id: ScenarioId): ScenarioContext => ({
      server,
      sizes,
      log: (message) => run.log(server.kind, `${id}: ${message}`),
      sharedStreams: speaksWireProtocol(server.kind) ? workloads.wire : workloads.socketio,
    });
    // The server may be in any state after a failure; it measures nothing more this run.
    const failed = (server: ServerProcess, id: ScenarioId, error: unknown) => {
      run.fail({ server: server.kind, scenario: id, error: String(error) });
      servers.delete(server.kind);
    };
    for (const id of scenarios) {
      const scenario = ONE_AT_A_TIME[id];
      if (!scenario) continue;
      for (const server of [...servers.values()]) {
        try {
          const values = await withTimeout(
            scenario.run(context(server, id)),
            sizes.scenarioTimeout,
            `${id} on ${server.kind}`,
          );
          addSamples(run.record.samples, server.kind, values);
          await serverConnections(server, 0, 30_000);
        } catch (error) {
          failed(server, id, error);
        }
      }
    }
    for (const id of scenarios) {
      const scenario = INTERLEAVED[id];
      if (scenario) await interleave(run, scenario, [...servers.values()], context, failed);
    }
  } finally {
    await Promise.allSettled(started.map((server) => server.stop()));
  }
}

/** Opens `scenario` on every server, runs its rounds in turn (the order rotates), sums up. */
export async function interleave(
  { sizes, record }: Pick<ServerRun, "sizes" | "record">,
  scenario: InterleavedScenario,
  servers: ServerProcess[],
  context: (server: ServerProcess, id: ScenarioId) => ScenarioContext,
  failed: (server: ServerProcess, id: ScenarioId, error: unknown) => void,
): Promise<void> {
  const { id } = scenario;
  const timeout = sizes.scenarioTimeout;
  const open = new Map<ServerProcess, Rounds>();
  const step = async (server: ServerProcess, what: string, task: () => Promise<void>) => {
    try {
      await withTimeout(task(), timeout, `${id} ${what} on ${server.kind}`);
    } catch (error) {
      open.get(server)?.close();
      open.delete(server);
      failed(server, id, error);
    }
  };
  try {
    for (const server of servers) {
      await step(server, "setup", async () => {
        open.set(server, await scenario.open(context(server, id)));
      });
    }
    const rounds = scenario.rounds(sizes);
    for (let index = 0; index < rounds; index++) {
      for (const server of rotate([...open.keys()], index)) {
        await step(server, `round ${index + 1}`, () => open.get(server)!.round(index));
      }
    }
    for (const [server, rounds] of [...open]) {
      await step(server, "summary", async () => {
        const values = rounds.finish();
        rounds.close();
        open.delete(server);
        await serverConnections(server, 0, 30_000);
        addSamples(record.samples, server.kind, values);
      });
    }
  } finally {
    for (const rounds of open.values()) rounds.close();
  }
}
