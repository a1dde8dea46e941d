/**
 * `stop()` leaves no handle open: a process that served WebSocket streams and HTTP and then
 * called `stop()` exits on its own, on every framework (DESIGN: every timer unref'd and cleared).
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Paths from `path`, not `new URL(…, import.meta.url)`, which Vite rewrites as an asset reference.
const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "fixtures", "serve-then-stop.ts");
// `--import tsx` resolves from the working directory: this package's, where tsx is installed.
const packageDir = join(here, "..");

function run(framework: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, framework], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    // A process kept alive by a leaked handle never exits: kill it and fail with what it said.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the process did not exit on its own after stop():\n${output}`));
    }, 15_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.each(["hono", "express", "fastify"])("stop() on %s", (framework) => {
  it("lets the process exit by itself", async () => {
    const { code, output } = await run(framework);
    expect(output).toMatch(/^stopped \d+$/m);
    expect(code).toBe(0);
    const exitedAfter = Number(/^exited (\d+)$/m.exec(output)?.[1]);
    expect(exitedAfter).toBeLessThan(1000);
  }, 20_000);
});
