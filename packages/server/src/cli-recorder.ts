/**
 * Test support for the `agentsocket` CLI: a `CliRuntime` that records what `main()` prints and the
 * exit code it reports, and handles no signals (the test process keeps its own).
 */
import type { CliRuntime } from "./cli.ts";

/** What the CLI printed, line by line, and the exit code it set (0 until it sets one). */
export interface CliOutput {
  log: string[];
  error: string[];
  exitCode: number;
}

/** A recording runtime; `overrides` replace its fields (e.g. `logs` to silence the request log). */
export function recorder(overrides: Partial<CliRuntime> = {}): {
  output: CliOutput;
  runtime: CliRuntime;
} {
  const output: CliOutput = { log: [], error: [], exitCode: 0 };
  const runtime: CliRuntime = {
    log: (line) => output.log.push(line),
    error: (line) => output.error.push(line),
    setExitCode: (code) => (output.exitCode = code),
    handleSignals: false,
    ...overrides,
  };
  return { output, runtime };
}
