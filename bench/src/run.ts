/**
 * `pnpm bench` / `pnpm bench:smoke`: runs every scenario against every server on Node 20 (the
 * host's Node) and Node 24, then the cluster and resumable streaming on each, prints the tables
 * and targets, and (full runs of everything only) writes docs/benchmarks.md,
 * docs/benchmarks/results.json and docs/benchmarks/chart.svg.
 *
 * Options: `--smoke` (host Node only, no cluster, unless named below),
 * `--servers=hono,express,fastify,ws,socketio,socketio-agent`,
 * `--scenarios=idle,handshakes,fanout,streaming,realistic,cluster,resume`,
 * `--nodes=host,node24`, `--runs=N`, `--cpu-prof=DIR` (profiles every server process),
 * `--streams=N` (fixes scenario 2's stream count), `--from=FILE` (re-renders the report from a
 * results.json without running anything). The servers run agentsocket's built `dist/`
 * (product-build.ts; `BENCH_FROM_SOURCE=1` for the sources). The environment variable
 * `BENCH_SERVER_FLAGS` adds Node flags to the server processes.
 */
import { readFile } from "node:fs/promises";
import { runBench } from "./bench-runner.ts";
import { parseCliOptions } from "./cli-options.ts";
import { runtimeComparisonTable, sideBySideRatioTable } from "./report/runtime-tables.ts";
import { clusterTable, hasCluster, hasResume, resumeTable } from "./report/suite-specs.ts";
import { absoluteTable } from "./report/tables.ts";
import { checkTargets, formatTargets } from "./report/targets.ts";
import { writeDocs } from "./report/write-docs.ts";
import { loadResults, summarize, type BenchResults } from "./results.ts";
import { useBuiltProduct } from "./product-build.ts";
import { resolveRuntimes, runtimeTitle } from "./runtimes.ts";
import { withTimeout } from "./timeout.ts";

const options = parseCliOptions(process.argv.slice(2));
const { sizes, servers, scenarios } = options;
const plural = (n: number) => `${n} run${n === 1 ? "" : "s"}`;

let results: BenchResults;
if (options.from) {
  results = loadResults(await readFile(options.from, "utf8"));
} else {
  const runtimes = resolveRuntimes(options.runtimes);
  const code = useBuiltProduct();
  console.log(
    `bench ${sizes.mode}: ${scenarios.length} scenarios × ${servers.length} servers on ` +
      `${runtimes.map((r) => r.version).join(" and ")} (agentsocket's ${code}), median of ` +
      plural(sizes.runs),
  );
  results = await withTimeout(
    runBench({
      sizes,
      servers,
      scenarios,
      runtimes,
      ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
      log: (message) => console.log(message),
    }),
    sizes.totalTimeout,
    "bench",
  );
}

const summaries = summarize(results);
const targets = summaries.map((summary) => ({ summary, targets: checkTargets(summary.servers) }));
const caveat =
  results.mode === "smoke" ? " (smoke sizes: these prove the harness, not the targets)" : "";
for (const { summary, targets: list } of targets) {
  const title = `${runtimeTitle(summary.node)} (${summary.node})`;
  console.log(`\n${title}, medians of ${plural(results.sizes.runs)}:\n`);
  console.log(absoluteTable(summary.servers));
  console.log(`\n${title}, targets${caveat}:\n${formatTargets(list).join("\n")}`);
}
console.log("\nRatios (each agentsocket framework ÷ ws floor, ÷ Socket.IO):\n");
console.log(sideBySideRatioTable(summaries));
if (summaries.length > 1) {
  console.log("\nLast runtime ÷ first, per server:\n");
  console.log(runtimeComparisonTable(summaries));
}
if (hasCluster(summaries)) console.log(`\nCluster:\n\n${clusterTable(summaries)}`);
if (hasResume(summaries)) console.log(`\nResumable streaming:\n\n${resumeTable(summaries)}`);
for (const failure of results.failures) {
  console.log(
    `FAILED run ${failure.run} ${failure.runtime ?? "host"} ${failure.server} ${failure.scenario}: ${failure.error}`,
  );
}
if (results.otherProcessesCores !== undefined) {
  console.log(`\nother processes kept ${results.otherProcessesCores} cores busy on average`);
}

if (options.from ? results.mode === "full" : options.writesDocs) {
  console.log(`\nwrote ${(await writeDocs(results, summaries, targets)).join(", ")}`);
}

const measured = new Set(summaries.flatMap((summary) => Object.keys(summary.servers))).size;
console.log(
  `\nbench ${results.mode}: ${results.scenarios.length} scenarios × ${measured} servers × ` +
    `${summaries.length} runtimes measured` +
    `${results.failures.length > 0 ? `, ${results.failures.length} failed` : ""} in ${results.durationSeconds} s`,
);
process.exit(results.failures.length > 0 ? 1 : 0);
