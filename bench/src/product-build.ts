/**
 * The product as shipped: `pnpm bench` measures agentsocket's built `dist/` (the workspace
 * packages' `agentsocket-dist` export condition), not its TypeScript sources run through tsx —
 * tsx's transform adds per-closure names and properties the built code does not have. Builds
 * once per bench, then passes the condition to every server process through
 * `BENCH_SERVER_FLAGS`. `BENCH_FROM_SOURCE=1` measures the sources instead (for profiling).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Builds every package's `dist/` and makes the servers load it; returns what they run. */
export function useBuiltProduct(): "dist" | "source" {
  if (process.env.BENCH_FROM_SOURCE === "1") return "source";
  execFileSync(`${root}node_modules/.bin/tsdown`, ["--no-dts", "--logLevel", "warn"], {
    cwd: root,
    stdio: "pipe", // a failure throws with the build's output; success stays quiet
  });
  const flags = process.env.BENCH_SERVER_FLAGS ?? "";
  process.env.BENCH_SERVER_FLAGS = `${flags} --conditions=agentsocket-dist`.trim();
  return "dist";
}
