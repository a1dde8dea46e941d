#!/usr/bin/env node
// The `agentsocket` executable: runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
try {
  // main() reports its own failures (a message and process.exitCode) and returns undefined.
  await main(process.argv.slice(2), process.env);
} catch (error) {
  console.error("agentsocket: unexpected error:", error);
  process.exitCode = 1;
}
