#!/usr/bin/env node
/**
 * The `agentsocket` executable (compiled to `dist/bin.mjs`): runs the CLI with the process's
 * arguments and environment. `main()` reports its own failures through `process.exitCode`.
 */
import { main } from "./cli.ts";

try {
  await main(process.argv.slice(2), process.env);
} catch (error) {
  console.error("agentsocket: unexpected error:", error);
  process.exitCode = 1;
}
