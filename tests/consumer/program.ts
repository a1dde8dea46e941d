/**
 * Runs a Node.js program as a user would (its own working directory, plain `node` or an installed
 * bin), waits for the stdout line that says it is ready, and stops it with a signal.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** How a program ended. */
export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started program. */
export interface Program {
  /** The ready line's match. */
  ready: RegExpMatchArray;
  /** Every line printed so far, stdout and stderr in arrival order. */
  output: string[];
  /** Resolves when the program has exited, however it ended. */
  exited: Promise<ProgramExit>;
  /** Resolves with the first line (printed so far or later) that matches `pattern`. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Sends `signal` and resolves with how the program exited. */
  stop(signal?: NodeJS.Signals): Promise<ProgramExit>;
}

/** Options of {@link startProgram}. */
export interface StartOptions {
  cwd: string;
  /** Added to the environment. */
  env?: NodeJS.ProcessEnv;
  /** The stdout line that means the program is ready. */
  ready: RegExp;
  /** Gives up (and kills the program) if it is not ready by then. @default 30000 */
  timeoutMs?: number;
}

/**
 * Starts `command` and resolves once a stdout line matches `options.ready`.
 * @throws {Error} with everything the program printed, when it exits or times out before.
 */
export function startProgram(
  command: string,
  args: string[],
  options: StartOptions,
): Promise<Program> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<ProgramExit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const stop = (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const lines = [
    createInterface({ input: child.stdout }),
    createInterface({ input: child.stderr }),
  ];
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve) => {
      const seen = output.find((line) => pattern.test(line));
      if (seen !== undefined) return resolve(seen);
      const onLine = (line: string) => {
        if (!pattern.test(line)) return;
        for (const reader of lines) reader.off("line", onLine);
        resolve(line);
      };
      for (const reader of lines) reader.on("line", onLine);
    });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} ${why}:\n${output.join("\n")}`));
    };
    const timer = setTimeout(() => fail("was not ready in time"), options.timeoutMs ?? 30_000);
    lines[1]!.on("line", (line) => output.push(line));
    lines[0]!.on("line", (line) => {
      output.push(line);
      const ready = line.match(options.ready);
      if (ready) {
        clearTimeout(timer);
        resolve({ ready, output, exited, waitFor, stop });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(`exited (${signal ?? code}) before it was ready`);
    });
    child.once("error", (error) => fail(`could not start: ${error.message}`));
  });
}
