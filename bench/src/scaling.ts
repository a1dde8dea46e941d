/**
 * `pnpm --filter @agentsocket/bench run scaling` (`-- --smoke`: tiny): checks docs/scaling.md's
 * model at small scale and prints the plan it gives from this machine's figures. One agentsocket
 * instance (Hono, every stream resumable in one shared Redis) carries N paced streams, then
 * three instances carry N each; the model predicts the three from the one (throughput, instance
 * CPU, Redis commands and CPU scale with instances; CPU per token stays). The same for room
 * fan-out over the Redis broker (scenarios/cluster.ts, one Hono instance against three). The
 * per-unit costs then feed {@link planCapacity} for 1,000,000 connections and 100,000 tokens/s.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startRedis } from "@agentsocket/redis/testing";
import { closeClients, openClients } from "./clients/connect.ts";
import {
  describeCalls,
  redisDelta,
  redisMeter,
  type RedisMeter,
} from "./cluster/redis-commands.ts";
import { workloadPrompt } from "./fake-backend.ts";
import { formatNumber, formatRatio, formatTable, ratio } from "./report/format.ts";
import { redisBytes } from "./resume.ts";
import { planCapacity, predictPhase, type MeasuredCosts, type Phase } from "./scaling-model.ts";
import { runCluster, type ClusterResult } from "./scenarios/cluster.ts";
import { idle } from "./scenarios/idle.ts";
import { cpuMicros } from "./scenarios/scenario.ts";
import { startServer, type ServerProcess } from "./server-process.ts";
import { FULL, SMOKE } from "./sizes.ts";
import { Tally } from "./tally.ts";
import { clientTokens } from "./tokens.ts";

const smoke = process.argv.includes("--smoke");
const size = smoke
  ? { streams: 20, seconds: 3, idle: 300, cluster: SMOKE.cluster }
  : { streams: 50, seconds: 8, idle: 3000, cluster: FULL.cluster };
const RATE = 30;
const STAGGER_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => console.log(`  ${message}`);

/** `n` Hono instances whose streams are all logged in the Redis at `url`. */
function startInstances(n: number, url: string): Promise<ServerProcess[]> {
  const file = fileURLToPath(new URL("./servers/agentsocket.ts", import.meta.url));
  return Promise.all(
    Array.from({ length: n }, () =>
      startServer("hono", { entry: { file, args: ["hono", url] }, startTimeout: 90_000 }),
    ),
  );
}

/** `perInstance` paced streams on each of `servers`; measures the steady middle. */
async function pacedPhase(
  servers: ServerProcess[],
  perInstance: number,
  meter: RedisMeter,
): Promise<Phase> {
  const tallies = await Promise.all(servers.map(async (s) => new Tally(await s.clockOffset())));
  const tokens = await clientTokens(perInstance * servers.length);
  const clients = (
    await Promise.all(
      servers.map((s, i) =>
        openClients(
          { kind: s.kind, port: s.port, tally: tallies[i]! },
          tokens.slice(i * perInstance, (i + 1) * perInstance),
        ),
      ),
    )
  ).flat();
  const round = (tag: string, seconds: number) => {
    const prompt = workloadPrompt({ tokens: RATE * seconds, rate: RATE });
    return Promise.all(
      clients.map(async (client, j) => {
        await sleep((j / clients.length) * STAGGER_MS);
        await client.stream(`${tag}-${j}`, prompt);
      }),
    );
  };
  try {
    await round("warm", 2); // JIT, Redis scripts and connections warm before the measured round
    const done = round("paced", size.seconds);
    const snap = async () => ({
      stats: await Promise.all(servers.map((s) => s.stats())),
      redis: await meter.snapshot(),
      tokens: tallies.reduce((sum, tally) => sum + tally.tokens, 0),
      frames: tallies.reduce((sum, tally) => sum + tally.frames, 0),
      at: performance.now(),
    });
    await sleep(STAGGER_MS + 200);
    const before = await snap();
    await sleep(Math.max(500, size.seconds * 1000 - STAGGER_MS - 500));
    const after = await snap();
    await done;
    const logged = await meter.streamEntries("*:log");
    log(
      `${servers.length} instance(s): ${logged} frames logged in Redis, ${tallies.reduce((sum, t) => sum + t.tokens, 0)} tokens received`,
    );
    await meter.flush();
    const wall = (after.at - before.at) / 1000;
    const delivered = after.tokens - before.tokens;
    const cpu = before.stats.reduce((sum, b, i) => sum + cpuMicros(b, after.stats[i]!), 0);
    const redis = redisDelta(before.redis, after.redis);
    return {
      instances: servers.length,
      tokensPerSecond: delivered / wall,
      framesPerSecond: (after.frames - before.frames) / wall,
      cpuPerToken: cpu / delivered,
      instanceCores: cpu / 1e6 / wall,
      redisCommandsPerSecond: redis.total / wall,
      redisCores: redis.cpuMicros / 1e6 / wall,
    };
  } finally {
    closeClients(clients);
  }
}

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(
  `scaling check${smoke ? " (smoke)" : ""}: ${size.streams} paced streams (${RATE} tokens/s, resumable on Redis) per instance, one instance then three; load average ${loadavg()}`,
);
const redis = await startRedis();
const meter = await redisMeter(redis.url);
let idleBytes: number, baseRss: number, single: Phase, triple: Phase;
let fan: ClusterResult[];
let bytesPerFrame: number;
try {
  // Idle memory on an instance of its own: closing its connections leaves work behind.
  const [empty] = await startInstances(1, redis.url);
  try {
    baseRss = (await empty!.stats(true)).rss;
    const sizes = { ...FULL, idle: { connections: size.idle } };
    idleBytes = (await idle.run({ server: empty!, sizes, log }))["idle.bytesPerConnection"]!;
  } finally {
    await empty!.stop();
  }
  await meter.flush();
  const [one] = await startInstances(1, redis.url);
  try {
    single = await pacedPhase([one!], size.streams, meter);
  } finally {
    await one!.stop();
  }
  const three = await startInstances(3, redis.url);
  try {
    triple = await pacedPhase(three, size.streams, meter);
  } finally {
    await Promise.all(three.map((s) => s.stop()));
  }
  fan = [];
  for (const instances of [1, 3])
    fan.push(await runCluster("agentsocket", size.cluster, log, { instances, framework: "hono" }));
  bytesPerFrame = (await redisBytes(redis.url, 500, false)) / 500;
} finally {
  await meter.close();
  await redis.stop();
}

const predicted = predictPhase(single, 3);
const perFrame = (phase: Phase, cores: "instanceCores" | "redisCores") =>
  (phase[cores] * 1e6) / phase.framesPerSecond;
const [fan1, fan3] = fan as [ClusterResult, ClusterResult];
for (const result of [fan1, fan3])
  log(`fan-out, Redis commands per publish: ${describeCalls(result.redis, result.publishes)}`);
const rows: [string, number, number, number, number][] = [
  [
    "tokens/s delivered",
    single.tokensPerSecond,
    predicted.tokensPerSecond,
    triple.tokensPerSecond,
    0,
  ],
  [
    "frames/s (tokens coalesced when turns run long)",
    single.framesPerSecond,
    predicted.framesPerSecond,
    triple.framesPerSecond,
    0,
  ],
  ["instance CPU per token (µs)", single.cpuPerToken, predicted.cpuPerToken, triple.cpuPerToken, 1],
  [
    "instance CPU per frame (µs)",
    perFrame(single, "instanceCores"),
    perFrame(predicted, "instanceCores"),
    perFrame(triple, "instanceCores"),
    1,
  ],
  [
    "instance CPU, all instances (cores)",
    single.instanceCores,
    predicted.instanceCores,
    triple.instanceCores,
    3,
  ],
  [
    "Redis commands/s",
    single.redisCommandsPerSecond,
    predicted.redisCommandsPerSecond,
    triple.redisCommandsPerSecond,
    0,
  ],
  ["Redis CPU (cores)", single.redisCores, predicted.redisCores, triple.redisCores, 3],
  [
    "Redis commands per frame",
    single.redisCommandsPerSecond / single.framesPerSecond,
    predicted.redisCommandsPerSecond / predicted.framesPerSecond,
    triple.redisCommandsPerSecond / triple.framesPerSecond,
    2,
  ],
  [
    "Redis CPU per frame (µs)",
    perFrame(single, "redisCores"),
    perFrame(predicted, "redisCores"),
    perFrame(triple, "redisCores"),
    1,
  ],
  [
    "fan-out: instance CPU per delivered message (µs)",
    fan1.cpuPerMessage,
    fan1.cpuPerMessage,
    fan3.cpuPerMessage,
    2,
  ],
  [
    "fan-out: Redis commands per publish",
    fan1.redis.total / fan1.publishes,
    fan1.redis.total / fan1.publishes,
    fan3.redis.total / fan3.publishes,
    2,
  ],
  [
    "fan-out: Redis CPU per publish (µs)",
    fan1.redis.cpuMicros / fan1.publishes,
    fan1.redis.cpuMicros / fan1.publishes,
    fan3.redis.cpuMicros / fan3.publishes,
    1,
  ],
];
console.log(
  "\nThree instances against one (prediction: the one instance's figures × 3, per-unit costs unchanged):\n",
);
console.log(
  formatTable(
    [
      "",
      "1 instance, measured",
      "3 instances, predicted",
      "3 instances, measured",
      "measured ÷ predicted",
    ],
    rows.map(([title, one, guess, got, digits]) => [
      title,
      formatNumber(one, digits),
      formatNumber(guess, digits),
      formatNumber(got, digits),
      formatRatio(ratio(got, guess)),
    ]),
  ),
);

const costs: MeasuredCosts = {
  bytesPerConnection: idleBytes,
  instanceBaseBytes: baseRss,
  // One token per frame, the paced worst case: CPU per frame stands for CPU per token.
  cpuPerToken: perFrame(single, "instanceCores"),
  cpuPerDelivery: fan3.cpuPerMessage,
  redisCpuPerFrame: perFrame(single, "redisCores"),
  redisCommandsPerFrame: single.redisCommandsPerSecond / single.framesPerSecond,
  redisBytesPerFrame: bytesPerFrame,
};
const plan = planCapacity(costs, { connections: 1_000_000, tokensPerSecond: 100_000 });
console.log("\nMeasured per-unit costs (one instance; fan-out from three):\n");
console.log(
  formatTable(
    ["cost", "value"],
    Object.entries(costs).map(([k, v]) => [k, formatNumber(v, 1)]),
  ),
);
console.log(
  "\nPlan for 1,000,000 connections and 100,000 tokens/s (defaults of planCapacity: 50 % of a core per instance and shard, 2 GiB per instance, 8 GiB per shard, ping every 30 s, logs kept 330 s):\n",
);
console.log(
  formatTable(
    ["quantity", "value"],
    Object.entries(plan).map(([k, v]) => [k, formatNumber(v, Number.isInteger(v) ? 0 : 2)]),
  ),
);
console.log(`\nload average at the end: ${loadavg()}`);
process.exit(0);
