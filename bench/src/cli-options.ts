/**
 * The command line of `pnpm bench`: what to run and where the results come from.
 */
import { RUNTIME_IDS, type RuntimeId } from "./runtimes.ts";
import { BENCH_SCENARIO_IDS, type BenchScenarioId } from "./scenarios/scenario.ts";
import { SERVER_KINDS, type ServerKind } from "./server-process.ts";
import { FULL, SMOKE, type Sizes } from "./sizes.ts";

/** What the command line asked for. */
export interface CliOptions {
  sizes: Sizes;
  servers: ServerKind[];
  scenarios: BenchScenarioId[];
  /** The runtimes the servers run on: the host's Node and Node 24. */
  runtimes: RuntimeId[];
  /** Whether this run may rewrite docs/: a full run of every scenario on every server and Node. */
  writesDocs: boolean;
  cpuProfileDir?: string;
  /** Re-render the report from this results.json instead of running the bench. */
  from?: string;
}

/** What {@link readArguments} reads from a command line. */
export interface ArgumentReader {
  /** The value of `--name=value`, if given. */
  option(name: string): string | undefined;
  /** `--name=N` as an integer ≥ `min` (default 1), if given. */
  count(name: string, min?: number): number | undefined;
  /** `--name=a,b` as the items of `all` it names, in `all`'s order; all of them when not given. */
  list<T extends string>(name: string, all: readonly T[]): T[];
}

/**
 * Reads `--name=value` options from `argv` (the bench's and the hostile scripts' command lines).
 * `count` and `list` throw a {@link TypeError} naming the option for a bad number or item.
 */
export function readArguments(argv: readonly string[]): ArgumentReader {
  const option = (name: string) =>
    argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  return {
    option,
    count(name, min = 1) {
      const value = option(name);
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) {
        const what = min === 1 ? "a positive integer" : `an integer ≥ ${min}`;
        throw new TypeError(`--${name} must be ${what}`);
      }
      return n;
    },
    list(name, all) {
      const value = option(name);
      if (value === undefined) return [...all];
      const picked = value.split(",");
      for (const item of picked) {
        if (!all.includes(item as (typeof all)[number]))
          throw new TypeError(`--${name}: unknown "${item}" (${all.join(", ")})`);
      }
      return all.filter((item) => picked.includes(item));
    },
  };
}

/**
 * Parses `--smoke`, `--servers=a,b`, `--scenarios=a,b`, `--nodes=host,node24`, `--runs=N`,
 * `--streams=N`, `--cpu-prof=DIR` and `--from=FILE`. A smoke run defaults to the host's Node
 * and leaves the cluster out; naming them in `--nodes=` / `--scenarios=` runs them tiny.
 * @throws {TypeError} naming an unknown server or scenario, or a bad number.
 */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  const { option, count, list } = readArguments(argv);

  const smoke = argv.includes("--smoke");
  const base = smoke ? SMOKE : FULL;
  const runs = count("runs");
  const streams = count("streams");
  const servers = list("servers", SERVER_KINDS);
  const smokeDefault = <T extends string>(name: string, all: readonly T[], skipped: T): T[] =>
    smoke && option(name) === undefined ? all.filter((item) => item !== skipped) : list(name, all);
  const scenarios = smokeDefault("scenarios", BENCH_SCENARIO_IDS, "cluster");
  const runtimes = smokeDefault("nodes", RUNTIME_IDS, "node24");
  // A smoke run's bound is for the host alone without the cluster: more when they are asked for.
  const bound = smoke
    ? base.totalTimeout * runtimes.length * (scenarios.includes("cluster") ? 1.5 : 1)
    : base.totalTimeout;
  const sizes: Sizes = {
    ...base,
    totalTimeout: bound,
    ...(runs ? { runs } : {}),
    ...(streams
      ? { realistic: { ...base.realistic, minStreams: streams, maxStreams: streams } }
      : {}),
  };
  const complete =
    servers.length === SERVER_KINDS.length &&
    scenarios.length === BENCH_SCENARIO_IDS.length &&
    runtimes.length === RUNTIME_IDS.length;
  const cpuProfileDir = option("cpu-prof");
  const from = option("from");
  return {
    sizes,
    servers,
    scenarios,
    runtimes,
    // Profiling slows the servers and --streams changes the method: neither may publish numbers.
    writesDocs: sizes.mode === "full" && complete && !streams && !cpuProfileDir,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
    ...(from ? { from } : {}),
  };
}
