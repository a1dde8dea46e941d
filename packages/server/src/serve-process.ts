/**
 * Test harness: runs `agentsocket serve` as a child process (the real bin, through tsx), waits for
 * its banner, and keeps everything it wrote to stdout and stderr for the test to inspect.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Paths from `path`, not `new URL(…, import.meta.url)`, which Vite rewrites as an asset reference.
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "bin.ts");
// `--import tsx` resolves from the working directory: this package's, where tsx is installed.
const packageDir = join(here, "..");

/** A running `agentsocket serve`. */
export interface ServeProcess {
  /** `http://<host>:<port>` from its banner. */
  url: string;
  /** `host:port`, what a client sends as `Host`. */
  host: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Stops it with SIGTERM and resolves once it has exited. */
  stop(): Promise<void>;
}

const BANNER = /agentsocket serving http:\/\/([^\s]+)/;

/**
 * Starts `agentsocket serve` with `args` and exactly `env` (plus PATH), on port 0 unless `args`
 * say otherwise, with conversations in memory. Resolves once the banner is printed.
 * @throws {Error} with the output when the process exits or stays silent for `timeoutMs`.
 */
export function startServe(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", bin, "serve", "--port", "0", ...args],
    {
      cwd: packageDir,
      env: { PATH: process.env.PATH ?? "", AGENTSOCKET_DB: ":memory:", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`agentsocket serve printed no banner:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const match = BANNER.exec(output);
      if (!match) return;
      clearTimeout(timer);
      const host = match[1]!;
      resolve({ url: `http://${host}`, host, output: () => output, stop });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`agentsocket serve exited (${String(code)}):\n${output}`));
    });
  });
}
