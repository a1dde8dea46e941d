/**
 * `pnpm bench` / `pnpm bench:smoke`: runs every scenario against every server, prints the
 * tables and targets, and (full runs of everything only) writes docs/benchmarks.md,
 * docs/benchmarks/results.json and docs/benchmarks/chart.svg.
 *
 * Options: `--smoke`, `--servers=hono,express,fastify,ws,socketio`,
 * `--scenarios=idle,handshakes,fanout,streaming,realistic`, `--runs=N`, `--cpu-prof=DIR`
 * (profiles every server process), `--streams=N` (fixes scenario 2's stream count),
 * `--from=FILE` (re-renders the report from a results.json without running anything). The
 * environment variable `BENCH_SERVER_FLAGS` adds Node flags to the server processes.
 */
import { readFile } from "node:fs/promises";
import { runBench } from "./bench-runner.ts";
import { parseCliOptions } from "./cli-options.ts";
import { absoluteTable, ratioTable } from "./report/tables.ts";
import { checkTargets, formatTargets } from "./report/targets.ts";
import { writeDocs } from "./report/write-docs.ts";
import { medians, type BenchResults } from "./results.ts";
import { withTimeout } from "./timeout.ts";

const options = parseCliOptions(process.argv.slice(2));
const { sizes, servers, scenarios } = options;
const plural = (n: number) => `${n} run${n === 1 ? "" : "s"}`;

let results: BenchResults;
if (options.from) {
  results = JSON.parse(await readFile(options.from, "utf8")) as BenchResults;
} else {
  console.log(
    `bench ${sizes.mode}: ${scenarios.length} scenarios × ${servers.length} servers, ` +
      `median of ${plural(sizes.runs)}`,
  );
  results = await withTimeout(
    runBench({
      sizes,
      servers,
      scenarios,
      ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
      log: (message) => console.log(message),
    }),
    sizes.totalTimeout,
    "bench",
  );
}

const summary = medians(results);
const targets = checkTargets(summary);
console.log(`\nMedians of ${plural(results.sizes.runs)}:\n`);
console.log(absoluteTable(summary));
console.log("\nRatios (each agentsocket framework ÷ ws floor, ÷ Socket.IO):\n");
console.log(ratioTable(summary));
const caveat =
  results.mode === "smoke" ? " (smoke sizes: these prove the harness, not the targets)" : "";
console.log(`\nTargets${caveat}:\n${formatTargets(targets).join("\n")}`);
for (const failure of results.failures) {
  console.log(`FAILED run ${failure.run} ${failure.server} ${failure.scenario}: ${failure.error}`);
}
if (results.otherProcessesCores !== undefined) {
  console.log(`\nother processes kept ${results.otherProcessesCores} cores busy on average`);
}

if (options.from ? results.mode === "full" : options.writesDocs) {
  console.log(`\nwrote ${(await writeDocs(results, summary, targets)).join(", ")}`);
}

const measured = results.servers.filter((kind) => results.samples[kind] !== undefined).length;
console.log(
  `\nbench ${results.mode}: ${results.scenarios.length} scenarios × ${measured} servers measured` +
    `${results.failures.length > 0 ? `, ${results.failures.length} failed` : ""} in ${results.durationSeconds} s`,
);
process.exit(results.failures.length > 0 ? 1 : 0);
