/**
 * `agentsocket serve` and resume: streams are resumable by default (`stream_start` carries a
 * `streamId`), `AGENTSOCKET_RESUME=0` turns that off, and the chat page's client module is served
 * on every framework.
 */
import { readFile } from "node:fs/promises";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { buildChatClient } from "./chat-client-build.ts";
import { chatClientFile } from "./chat-client.ts";
import { main, type CliRuntime } from "./cli.ts";
import type { AgentServer, Framework } from "./create-server.ts";

const LOCAL = ["--port", "0", "--host", "127.0.0.1"];
const ENV = { AGENTSOCKET_DB: ":memory:", AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "0" };

function runtime(errors: string[] = []): CliRuntime {
  return {
    log: () => {},
    error: (line) => errors.push(line),
    setExitCode: () => {},
    handleSignals: false,
  };
}

/** The `stream_start` frame of one streamed prompt. */
async function streamStart(port: number): Promise<Record<string, unknown>> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  try {
    return await new Promise((resolve, reject) => {
      socket.on("error", reject);
      socket.on("message", (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        if (frame.type === "connected") {
          socket.send(
            JSON.stringify({ type: "stream", requestId: "r1", payload: { prompt: "hi" } }),
          );
        }
        if (frame.type === "stream_start" || frame.type === "error") resolve(frame);
      });
    });
  } finally {
    socket.terminate();
  }
}

describe("agentsocket serve with resume", () => {
  let server: AgentServer | undefined;
  beforeAll(() => buildChatClient(), 60_000);
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  for (const framework of ["hono", "express", "fastify"] as Framework[]) {
    it(`makes streams resumable and serves the chat client on ${framework}`, async () => {
      server = await main(["serve", "--framework", framework, ...LOCAL], ENV, runtime());
      expect(await streamStart(server!.port!)).toMatchObject({
        type: "stream_start",
        streamId: expect.any(String),
        offset: 1,
      });
      const script = await fetch(`http://127.0.0.1:${server!.port}/chat-client.mjs`);
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      const body = await script.text();
      expect(body).toBe(await readFile(chatClientFile(), "utf8"));
      expect(body).toMatch(/export\s*\{[^}]*createAgentSocketClient/);
    });
  }

  it("turns resume off with AGENTSOCKET_RESUME=0", async () => {
    server = await main(["serve", ...LOCAL], { ...ENV, AGENTSOCKET_RESUME: "0" }, runtime());
    const start = await streamStart(server!.port!);
    expect(start.type).toBe("stream_start");
    expect(start).not.toHaveProperty("streamId");
  });

  it("refuses AGENTSOCKET_RESUME other than 0 or 1, naming it", async () => {
    const errors: string[] = [];
    expect(await main(["serve"], { AGENTSOCKET_RESUME: "yes" }, runtime(errors))).toBeUndefined();
    expect(errors[0]).toBe('agentsocket: AGENTSOCKET_RESUME must be 0 or 1 (got "yes")');
  });
});
