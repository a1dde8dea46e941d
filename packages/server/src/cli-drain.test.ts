/**
 * SIGTERM drains `agentsocket serve` (issue 10): a spawned CLI process, streaming a demo answer to
 * a real `ws` client, is sent SIGTERM mid-stream. The answer still arrives whole, the client is
 * then closed with 1012, and the process exits with code 0 by itself.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, within } from "@agentsocket/core/testing";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");

describe("agentsocket serve on SIGTERM", () => {
  it("finishes the running stream, closes with 1012 and exits 0", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(here, "bin.ts"), "serve", "--port", "0", "--host", "127.0.0.1"],
      {
        cwd: packageDir,
        env: {
          ...process.env,
          AGENTSOCKET_DB: ":memory:",
          AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "60",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const listening = new Promise<string>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += String(chunk);
        const match = /serving http:\/\/(127\.0\.0\.1:\d+) /.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", (chunk: Buffer) => (output += String(chunk)));
    });
    try {
      const base = await within(listening, "the CLI to listen", 30_000);
      const client = await connect(WebSocket, `ws://${base}/ws`);
      client.send({ type: "stream", requestId: "r", payload: { prompt: "hello" } });
      await client.frame((f) => f.type === "chunk", "the first chunk", 10_000);
      child.kill("SIGTERM");

      const complete = await client.ofType("stream_complete", "r", 20_000);
      expect(complete).toMatchObject({ status: "completed" });
      const text = client.frames
        .filter((f) => f.type === "chunk")
        .map((f) => f.content)
        .join("");
      expect(text).toContain("demo agent");
      expect((await within(client.closed, "the close", 10_000)).code).toBe(1012);
      expect(client.frames.at(-1)).toEqual({ type: "shutdown", reconnect: true });
      expect(await within(exited, "the process to exit", 15_000)).toBe(0);
      expect(output).toContain("agentsocket: SIGTERM, draining connections");
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});
