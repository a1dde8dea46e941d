/**
 * The cluster scenario (issue 9): three instances sharing one Redis — agentsocket on
 * `@agentsocket/redis` (one instance per framework) or Socket.IO on `@socket.io/redis-adapter` —
 * with members spread over the instances and over rooms (each room has members on every
 * instance), and every instance publishing to the rooms in turn. A burst as fast as the
 * instances go gives CPU per delivered message (the instances', and with Redis's); a paced phase
 * gives publish → receipt latency. No member may get a notice twice; notices lost (both systems
 * deliver across instances at most once) are counted. Redis's commands (`INFO commandstats`) and
 * CPU (`INFO cpu`) over the burst give Redis operations per publish.
 */
import { fileURLToPath } from "node:url";
import { startRedis } from "@agentsocket/redis/testing";
import { joinMember, NoticeTally, type Member, type MemberKind } from "../cluster/members.ts";
import { publishOrder } from "../cluster/publish.ts";
import { redisDelta, redisMeter, type RedisDelta } from "../cluster/redis-commands.ts";
import { mapLimit } from "../clients/connect.ts";
import { startServer, type ServerProcess } from "../server-process.ts";
import type { Sizes } from "../sizes.ts";
import { percentile } from "../statistics.ts";
import { waitUntil } from "../timeout.ts";
import { cpuMicros, elapsed } from "./scenario.ts";

/** The figures of one system. */
export interface ClusterResult {
  system: MemberKind;
  members: number;
  rooms: number;
  /** Instance CPU (all three) per delivered message in the burst, µs. */
  cpuPerMessage: number;
  /** The same with Redis's CPU added, µs. */
  cpuPerMessageWithRedis: number;
  /** Deliveries per second in the burst. */
  deliveriesPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  /** Deliveries measured: burst, paced. */
  delivered: { burst: number; paced: number };
  /** Notices that never arrived (the burst, the paced phase, the warm-up). */
  lost: number;
  /** Publishes in the burst (all instances). */
  publishes: number;
  /** What Redis did during the burst. */
  redis: RedisDelta;
}

/** Options of {@link runCluster}. */
export interface ClusterOptions {
  /** The `node` binary of the instances. @default process.execPath */
  execPath?: string;
  /** How many instances (agentsocket: hono, express, fastify, hono, …). @default 3 */
  instances?: number;
  /** Every agentsocket instance on this framework instead. */
  framework?: (typeof FRAMEWORKS)[number];
}

const entry = (name: string) => fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));
const FRAMEWORKS = ["hono", "express", "fastify"] as const;
/** Three processes compiling TypeScript at once on a busy machine start slowly. */
const START_TIMEOUT = 90_000;
/** No notice arrived for this long: the rest are lost. */
const QUIET_MS = 3000;

async function startInstances(
  system: MemberKind,
  redisUrl: string,
  { execPath, instances = 3, framework: only }: ClusterOptions,
): Promise<ServerProcess[]> {
  const common = { startTimeout: START_TIMEOUT, ...(execPath ? { execPath } : {}) };
  return Promise.all(
    Array.from({ length: instances }, (_, node) => {
      const framework = only ?? FRAMEWORKS[node % FRAMEWORKS.length]!;
      return system === "agentsocket"
        ? startServer(framework, {
            ...common,
            entry: { file: entry("cluster-agentsocket"), args: [framework, redisUrl, `${node}`] },
          })
        : startServer("socketio", {
            ...common,
            entry: { file: entry("cluster-socketio"), args: [redisUrl, `${node}`] },
          });
    }),
  );
}

/**
 * Publishes `perInstance` notices from each instance, to the rooms in turn, and waits until
 * every member has what its room was sent, or until nothing has arrived for {@link QUIET_MS}
 * (cross-instance delivery is at-most-once on both systems). Without `rate`, each instance
 * publishes its share in one go; with it, the publishes are spread at `rate` per second (all
 * instances). Resolves with the notices that never arrived.
 * @throws {Error} when a member got a notice more than once.
 */
async function publish(
  instances: ServerProcess[],
  rooms: string[],
  members: Member[],
  perInstance: number,
  rate?: number,
): Promise<number> {
  const order = publishOrder(rooms);
  const before = members.map((m) => m.received);
  if (rate === undefined) {
    await Promise.all(instances.map((instance) => instance.broadcast(order, perInstance)));
  } else {
    const total = perInstance * instances.length;
    const start = performance.now();
    for (let sent = 0; sent < total;) {
      const due = Math.min(total, Math.floor((elapsed(start) / 1000) * rate) + 1);
      for (; sent < due; sent++) void instances[sent % instances.length]!.broadcast(order, 1);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  // Each instance sends to rooms 0, 1, 2, … in turn: room r gets this many from each.
  const perRoom = rooms.map(
    (_, r) => Math.floor(perInstance / rooms.length) + (r < perInstance % rooms.length ? 1 : 0),
  );
  const expected = (m: Member) => perRoom[rooms.indexOf(m.room)]! * instances.length;
  const got = (m: Member, i: number) => m.received - before[i]!;
  let [last, since] = [-1, performance.now()];
  await waitUntil(
    () => {
      const now = members.reduce((n, m, i) => n + got(m, i), 0);
      if (now !== last) [last, since] = [now, performance.now()];
      return members.every((m, i) => got(m, i) >= expected(m)) || elapsed(since) > QUIET_MS;
    },
    120_000,
    "every member has its room's notices",
    20,
  );
  const doubled = members.filter((m, i) => got(m, i) > expected(m)).length;
  if (doubled > 0) throw new Error(`${doubled} members got a notice more than once`);
  return members.reduce((n, m, i) => n + expected(m) - got(m, i), 0);
}

/** Runs the scenario on one system; every process it starts is stopped before it resolves. */
export async function runCluster(
  system: MemberKind,
  sizes: Sizes["cluster"],
  log: (message: string) => void,
  options: ClusterOptions = {},
): Promise<ClusterResult> {
  const redis = await startRedis();
  const instances: ServerProcess[] = [];
  const members: Member[] = [];
  const meter = await redisMeter(redis.url);
  try {
    instances.push(...(await startInstances(system, redis.url, options)));
    const count = instances.length;
    const offsets = await Promise.all(instances.map((instance) => instance.clockOffset()));
    const tally = new NoticeTally(offsets);
    const rooms = Array.from({ length: sizes.rooms }, (_, r) => `room-${r}`);
    // Member i joins room i % rooms on instance i % count: rooms have members on every instance.
    const joined = await mapLimit(sizes.members, 50, (i) =>
      joinMember(system, instances[i % count]!.port, rooms[i % rooms.length]!, tally),
    );
    members.push(...joined);
    let lost = await publish(instances, rooms, members, rooms.length); // warm-up: one per room each

    const stats = () => Promise.all(instances.map((instance) => instance.stats()));
    const [before, redisBefore] = [await stats(), await meter.snapshot()];
    const burstStart = tally.received;
    const start = performance.now();
    lost += await publish(instances, rooms, members, sizes.burst);
    const seconds = elapsed(start) / 1000;
    const [after, redisAfter] = [await stats(), await meter.snapshot()];
    const redisBurst = redisDelta(redisBefore, redisAfter);
    const burst = tally.received - burstStart;
    const instanceCpu = before.reduce((sum, b, i) => sum + cpuMicros(b, after[i]!), 0);
    log(`${system}: burst of ${burst} deliveries in ${(seconds * 1000).toFixed(0)} ms`);

    tally.recording = true;
    const pacedStart = tally.received;
    await publish(
      instances,
      rooms,
      members,
      Math.round((sizes.rate * sizes.seconds) / count),
      sizes.rate,
    );
    tally.recording = false;
    const sorted = tally.latencies.sorted();
    return {
      system,
      members: members.length,
      rooms: rooms.length,
      cpuPerMessage: instanceCpu / burst,
      cpuPerMessageWithRedis: (instanceCpu + redisBurst.cpuMicros) / burst,
      deliveriesPerSecond: burst / seconds,
      latencyP50: percentile(sorted, 50, true),
      latencyP99: percentile(sorted, 99, true),
      delivered: { burst, paced: tally.received - pacedStart },
      lost,
      publishes: sizes.burst * count,
      redis: redisBurst,
    };
  } finally {
    await meter.close();
    for (const member of members) member.close();
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis.stop();
  }
}
