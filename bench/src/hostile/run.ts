/**
 * `pnpm hostile` / `pnpm hostile:smoke` (in bench/): issue 8's evidence scripts — fuzz, churn
 * and flood — against the real `createServer` on each framework, each server in its own process
 * on 127.0.0.1, port 0. Prints a table per script and exits 1 when any invariant fails (or a
 * script fails or overruns its time); the flood's latency target is reported, MET or MISSED.
 *
 * Options: `--smoke`, `--scripts=fuzz,churn,flood`, `--frameworks=hono,express,fastify`,
 * `--seed=N`, `--frames=N` (fuzz), `--cycles=N` (churn), `--flood-frames=N`.
 */
import type { Framework } from "@agentsocket/server";
import { startLoadMeter } from "../machine-load.ts";
import { withTimeout } from "../timeout.ts";
import { runChurn, type ChurnResult } from "./churn.ts";
import { runFlood, type FloodResult } from "./flood.ts";
import { runFuzz, type FuzzResult } from "./fuzz.ts";
import { WRONG_TYPE_COMBINATIONS } from "./hostile-frames.ts";
import { churnFailures, floodFailures, floodLatencyMisses, fuzzFailures } from "./invariants.ts";
import { parseHostileOptions, type ScriptName } from "./options.ts";
import { failuresOf, resultTable, type Row } from "./report.ts";
import { CHURN_ROWS, FLOOD_ROWS, FUZZ_ROWS, fuzzDetails } from "./tables.ts";

const { sizes, scripts, frameworks, seed } = parseHostileOptions(process.argv.slice(2));
const log = (message: string) => console.log(message);
const failures: string[] = [];
const targets: string[] = [];
const started = performance.now();
const otherLoad = startLoadMeter();

/** Runs `script` on every framework in turn; a throw or an overrun is a failure. */
async function onEach<R extends { framework: string }>(
  name: ScriptName,
  run: (framework: Framework) => Promise<R>,
  rows: Row<R>[],
  check: (result: R) => string[],
  details: (result: R) => string[] = () => [],
  target?: { name: string; misses: (result: R) => string[] },
): Promise<void> {
  const results: R[] = [];
  for (const framework of frameworks) {
    try {
      results.push(await withTimeout(run(framework), sizes.scriptTimeout, `${name} ${framework}`));
    } catch (error) {
      failures.push(`${name} ${framework}: ${String(error)}`);
    }
  }
  if (results.length === 0) return;
  console.log(`\n${name} (${sizes.mode}):\n\n${resultTable(results, rows)}\n`);
  for (const line of results.flatMap(details)) console.log(line);
  failures.push(...failuresOf(results, check).map((failure) => `${name} ${failure}`));
  if (!target) return;
  const misses = failuresOf(results, target.misses);
  targets.push(
    misses.length === 0 ? `MET ${target.name}` : `MISSED ${target.name}: ${misses.join("; ")}`,
  );
}

console.log(
  `hostile ${sizes.mode}: ${scripts.join(", ")} on ${frameworks.join(", ")} (seed ${seed}; ` +
    `${WRONG_TYPE_COMBINATIONS} wrong-type combinations)`,
);
if (scripts.includes("fuzz")) {
  await onEach<FuzzResult>(
    "fuzz",
    (framework) => runFuzz({ framework, ...sizes.fuzz, seed, log }),
    FUZZ_ROWS,
    fuzzFailures,
    fuzzDetails,
  );
}
if (scripts.includes("churn")) {
  await onEach<ChurnResult>(
    "churn",
    (framework) => runChurn({ framework, ...sizes.churn, log }),
    CHURN_ROWS,
    churnFailures,
  );
}
if (scripts.includes("flood")) {
  await onEach<FloodResult>(
    "flood",
    (framework) => runFlood({ framework, ...sizes.flood, log }, sizes.scriptTimeout - 20_000),
    FLOOD_ROWS,
    floodFailures,
    () => [],
    { name: "probe latency within a few ms of idle", misses: floodLatencyMisses },
  );
}

const took = ((performance.now() - started) / 1000).toFixed(1);
const cores = otherLoad();
if (cores !== undefined)
  console.log(`other processes kept ${cores.toFixed(1)} cores busy on average`);
for (const line of targets) console.log(`target (reported, not a failure): ${line}`);
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(
  `\nhostile ${sizes.mode}: ${failures.length === 0 ? "every invariant held" : `${failures.length} failed`} in ${took} s`,
);
process.exit(failures.length === 0 ? 0 : 1);
