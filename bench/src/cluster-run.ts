/**
 * `pnpm bench:cluster` (and `--smoke`): the cluster scenario on agentsocket × 3 on Redis and
 * Socket.IO × 3 on `@socket.io/redis-adapter`, in one run, printed side by side with the ratios
 * (agentsocket ÷ Socket.IO). Exits 1 when a run fails (a member getting a notice twice).
 */
import { formatNumber, formatRatio, formatTable, ratio } from "./report/format.ts";
import { runCluster, type ClusterResult } from "./scenarios/cluster.ts";
import { FULL, SMOKE } from "./sizes.ts";
import { withTimeout } from "./timeout.ts";

const sizes = process.argv.includes("--smoke") ? SMOKE : FULL;
const { members, rooms, burst, rate, seconds } = sizes.cluster;
console.log(
  `bench cluster ${sizes.mode}: ${members} members in ${rooms} rooms over 3 instances; ` +
    `a burst of ${burst} publishes per instance, then ${rate} publishes/s for ${seconds} s`,
);
const started = performance.now();
const results: ClusterResult[] = [];
for (const system of ["agentsocket", "socketio"] as const) {
  results.push(
    await withTimeout(
      runCluster(system, sizes.cluster, (message) => console.log(message)),
      sizes.scenarioTimeout,
      `cluster ${system}`,
    ),
  );
}

const [ours, theirs] = results as [ClusterResult, ClusterResult];
const rows: [string, (r: ClusterResult) => number, number][] = [
  ["CPU per delivered message, instances (µs)", (r) => r.cpuPerMessage, 2],
  ["CPU per delivered message, instances + Redis (µs)", (r) => r.cpuPerMessageWithRedis, 2],
  ["deliveries/s in the burst", (r) => r.deliveriesPerSecond, 0],
  ["p50 publish → receipt, paced (ms)", (r) => r.latencyP50, 2],
  ["p99 publish → receipt, paced (ms)", (r) => r.latencyP99, 2],
  ["deliveries measured (burst)", (r) => r.delivered.burst, 0],
  ["deliveries measured (paced)", (r) => r.delivered.paced, 0],
  ["notices lost", (r) => r.lost, 0],
];
const header = ["", "agentsocket ×3 (Redis)", "Socket.IO ×3 (redis-adapter)", "ratio"];
const table = rows.map(([title, value, digits]) => [
  title,
  formatNumber(value(ours), digits),
  formatNumber(value(theirs), digits),
  formatRatio(ratio(value(ours), value(theirs))),
]);
console.log(`\n${formatTable(header, table)}\n`);
console.log(`bench cluster ${sizes.mode}: done in ${(elapsed() / 1000).toFixed(1)} s`);
process.exit(0);

function elapsed(): number {
  return performance.now() - started;
}
