/**
 * The command line of `pnpm bench`: what to run and where the results come from.
 */
import { SCENARIO_IDS, type ScenarioId } from "./scenarios/scenario.ts";
import { SERVER_KINDS, type ServerKind } from "./server-process.ts";
import { FULL, SMOKE, type Sizes } from "./sizes.ts";

/** What the command line asked for. */
export interface CliOptions {
  sizes: Sizes;
  servers: ServerKind[];
  scenarios: ScenarioId[];
  /** Whether this run may rewrite docs/: a full run of every scenario on every server. */
  writesDocs: boolean;
  cpuProfileDir?: string;
  /** Re-render the report from this results.json instead of running the bench. */
  from?: string;
}

/**
 * Parses `--smoke`, `--servers=a,b`, `--scenarios=a,b`, `--runs=N`, `--streams=N`,
 * `--cpu-prof=DIR` and `--from=FILE`.
 * @throws {TypeError} naming an unknown server or scenario, or a bad number.
 */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  const option = (name: string) =>
    argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = (name: string) => {
    const value = option(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new TypeError(`--${name} must be a positive integer`);
    return n;
  };
  const list = <T extends string>(name: string, all: readonly T[]): T[] => {
    const value = option(name);
    if (value === undefined) return [...all];
    const picked = value.split(",");
    for (const item of picked) {
      if (!all.includes(item as T))
        throw new TypeError(`--${name}: unknown "${item}" (${all.join(", ")})`);
    }
    return all.filter((item) => picked.includes(item));
  };

  const base = argv.includes("--smoke") ? SMOKE : FULL;
  const runs = count("runs");
  const streams = count("streams");
  const sizes: Sizes = {
    ...base,
    ...(runs ? { runs } : {}),
    ...(streams
      ? { realistic: { ...base.realistic, minStreams: streams, maxStreams: streams } }
      : {}),
  };
  const servers = list("servers", SERVER_KINDS);
  const scenarios = list("scenarios", SCENARIO_IDS);
  const complete =
    servers.length === SERVER_KINDS.length && scenarios.length === SCENARIO_IDS.length;
  const cpuProfileDir = option("cpu-prof");
  const from = option("from");
  return {
    sizes,
    servers,
    scenarios,
    // Profiling slows the servers and --streams changes the method: neither may publish numbers.
    writesDocs: sizes.mode === "full" && complete && !streams && !cpuProfileDir,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
    ...(from ? { from } : {}),
  };
}
