/**
 * The cluster and resumable-streaming scenarios of `pnpm bench`, each measured on the runtime
 * under test in processes of their own: the cluster through scenarios/cluster.ts (three
 * instances per system), resumable streaming through resume.ts's own measurements in a
 * resume-probe.ts process, with Redis's commands and CPU read around each.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startRedis } from "@agentsocket/redis/testing";
import { describeCalls, redisDelta, redisMeter } from "./cluster/redis-commands.ts";
import type { ProbeCommand, ProbeReply } from "./resume-probe.ts";
import type { Runtime } from "./runtimes.ts";
import { runCluster } from "./scenarios/cluster.ts";
import type { ServerKind } from "./server-process.ts";
import type { Sizes } from "./sizes.ts";
import {
  RESUME_MODES,
  type ClusterMetricId,
  type ClusterSystem,
  type ResumeMetricId,
  type ResumeMode,
} from "./suite-metrics.ts";
import { withTimeout } from "./timeout.ts";

/** The cluster systems `--servers=` selects: agentsocket with any framework, Socket.IO with socketio. */
export function clusterSystems(servers: readonly ServerKind[]): ClusterSystem[] {
  const frameworks = servers.some((s) => s === "hono" || s === "express" || s === "fastify");
  return [
    ...(frameworks ? (["agentsocket"] as const) : []),
    ...(servers.includes("socketio") ? (["socketio"] as const) : []),
  ];
}

/** Resumable streaming runs on agentsocket's Hono server: selected with `hono`. */
export const measuresResume = (servers: readonly ServerKind[]): boolean => servers.includes("hono");

/** One run of the cluster scenario of `system` on `runtime`. */
export async function measureCluster(
  system: ClusterSystem,
  runtime: Runtime,
  sizes: Sizes,
  log: (message: string) => void,
): Promise<Partial<Record<ClusterMetricId, number>>> {
  const result = await runCluster(system, sizes.cluster, log, { execPath: runtime.execPath });
  log(`redis commands per publish: ${describeCalls(result.redis, result.publishes)}`);
  if (result.lost > 0) log(`${result.lost} notices lost`);
  return {
    cpuPerMessage: result.cpuPerMessage,
    cpuPerMessageWithRedis: result.cpuPerMessageWithRedis,
    deliveriesPerSecond: result.deliveriesPerSecond,
    p50: result.latencyP50,
    p99: result.latencyP99,
    redisCommandsPerPublish: result.redis.total / result.publishes,
    redisCpuPerPublish: result.redis.cpuMicros / result.publishes,
    lost: result.lost,
  };
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Forks resume-probe.ts on `runtime`; `ask` sends one command and resolves with its value. */
async function startProbe(runtime: Runtime, redisUrl: string, timeout: number) {
  const child = fork(fileURLToPath(new URL("./resume-probe.ts", import.meta.url)), [redisUrl], {
    execPath: runtime.execPath,
    // BENCH_SERVER_FLAGS: the same flags as the servers (the built product's condition).
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_SERVER_FLAGS?.split(" ").filter(Boolean) ?? []),
    ],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => live.delete(child));
  const next = () =>
    new Promise<ProbeReply>((resolve, reject) => {
      child.once("message", resolve);
      void exited.then(() => reject(new Error(`resume probe exited (code ${child.exitCode})`)));
    });
  await withTimeout(next(), 60_000, "resume probe start");
  return {
    async ask(command: ProbeCommand): Promise<number> {
      const reply = next();
      child.send(command);
      const answer = await withTimeout(reply, timeout, `resume probe ${command.cmd}`);
      if (answer.type !== "value") throw new Error(`resume probe: ${JSON.stringify(answer)}`);
      return answer.value;
    },
    async stop() {
      if (child.exitCode === null) child.send({ cmd: "stop" } satisfies ProbeCommand);
      await withTimeout(exited, 10_000, "resume probe exit").catch(() => child.kill("SIGKILL"));
    },
  };
}

/** One run of resumable against plain streaming on `runtime`, every mode in one process. */
export async function measureResume(
  runtime: Runtime,
  sizes: Sizes,
  log: (message: string) => void,
): Promise<Partial<Record<ResumeMode, Partial<Record<ResumeMetricId, number>>>>> {
  const { streams, tokens, backlog } = sizes.resume;
  const redis = await startRedis();
  const meter = await redisMeter(redis.url);
  const probe = await startProbe(runtime, redis.url, sizes.scenarioTimeout);
  const out: Partial<Record<ResumeMode, Partial<Record<ResumeMetricId, number>>>> = {};
  try {
    for (const mode of RESUME_MODES) {
      const before = await meter.snapshot();
      const cpuPerToken = await probe.ask({ cmd: "cpu", mode, streams, tokens });
      const delta = redisDelta(before, await meter.snapshot());
      const values: Partial<Record<ResumeMetricId, number>> = { cpuPerToken };
      if (mode.startsWith("redis")) {
        const frames = await meter.streamEntries("*:log");
        values.redisCommandsPerFrame = delta.total / frames;
        values.redisCpuPerFrame = delta.cpuMicros / frames;
        log(
          `${mode}: ${frames} frames logged; redis commands per frame: ${describeCalls(delta, frames)}`,
        );
      }
      await meter.flush();
      out[mode] = values;
    }
    for (const mode of ["memory", "redis"] as const) {
      (out[mode] ??= {}).catchUp = await probe.ask({ cmd: "catchup", mode, backlog });
      await meter.flush();
    }
    return out;
  } finally {
    await probe.stop();
    await meter.close();
    await redis.stop();
  }
}
