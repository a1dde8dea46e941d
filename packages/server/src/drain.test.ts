/**
 * Drain on deploy (issue 10): `server.stop({ graceMs })` on every framework, with real `ws` clients
 * and real SSE requests. Readiness turns 503 at once, new handshakes and requests are refused,
 * idle clients get `{type:"shutdown", reconnect:true}` and 1012, running streams (WebSocket and
 * SSE) finish — or, at `graceMs`, end with their terminal `SHUTTING_DOWN` frame before the close.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, tryConnect, within, type TestClient } from "@agentsocket/core/testing";
import type { AgentBackend, AgentStreamChunk } from "@agentsocket/core";
import { createServer, type AgentServer, type Framework } from "./index.ts";

/** A backend whose streams send "first " and then wait for `release()` before "second". */
function gatedBackend() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const backend: AgentBackend = {
    generate: async () => ({ content: "unused" }),
    async stream({ abortSignal }) {
      async function* produce(): AsyncGenerator<AgentStreamChunk> {
        yield { content: "first " };
        await Promise.race([
          gate,
          new Promise((resolve) => abortSignal?.addEventListener("abort", resolve)),
        ]);
        if (abortSignal?.aborted) return;
        yield { content: "second" };
      }
      return { stream: produce() };
    },
  };
  return { backend, release };
}

/** Reads an SSE response to its end; resolves with the events, and `first` with the first one. */
function readSse(response: Response) {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  let sawFirst!: () => void;
  const first = new Promise<void>((resolve) => (sawFirst = resolve));
  const all = (async () => {
    const decoder = new TextDecoder();
    let text = "";
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text += decoder.decode(read.value, { stream: true });
      for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        if (events.some((e) => e.event === "chunk")) sawFirst();
      }
    }
    return events;
  })();
  return { first, all };
}

const FRAMEWORKS: Framework[] = ["hono", "express", "fastify"];

let server: AgentServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.stop();
  server = undefined;
});

async function start(framework: Framework, backend: AgentBackend) {
  server = await createServer(backend, {
    framework,
    config: { port: 0, host: "127.0.0.1", websocket: { pingInterval: 0 } },
  });
  await server.start();
  const base = `127.0.0.1:${server.port}`;
  const open = async () => {
    const client = await connect(WebSocket, `ws://${base}/ws`);
    clients.push(client);
    await client.ofType("connected");
    return client;
  };
  const sse = (prompt: string) =>
    fetch(`http://${base}/api/agent/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt, requestId: "sse" }),
    });
  return { base, open, sse, server };
}

describe.each(FRAMEWORKS)("stop({ graceMs }) on %s", (framework) => {
  it("sends idle clients away with 1012, refuses newcomers, and lets running streams finish", async () => {
    const { backend, release } = gatedBackend();
    const { base, open, sse, server } = await start(framework, backend);
    const streaming = await open();
    const idle = await open();
    streaming.send({ type: "stream", requestId: "s1", payload: { prompt: "go" } });
    await streaming.frame((f) => f.type === "chunk" && f.requestId === "s1", "the first chunk");
    const running = readSse(await sse("go"));
    await within(running.first, "the first SSE chunk");

    const stopped = server.stop({ graceMs: 30_000 });
    let stoppedYet = false;
    void stopped.then(() => (stoppedYet = true));

    // The idle client is told to reconnect elsewhere, then closed with 1012 (service restart).
    expect((await within(idle.closed, "the idle client's close", 5000)).code).toBe(1012);
    expect(idle.frames.at(-1)).toEqual({ type: "shutdown", reconnect: true });
    // Readiness turns 503 while the HTTP server still answers; newcomers are refused.
    expect((await fetch(`http://${base}/api/ready`)).status).toBe(503);
    const refused = await tryConnect(WebSocket, `ws://${base}/ws`);
    expect(refused).toMatchObject({ ok: false, status: 503, body: { code: "SHUTTING_DOWN" } });
    const lateSse = await sse("late");
    expect(lateSse.status).toBe(503);
    // The streaming connection stays, but starts nothing new.
    streaming.send({ type: "stream", requestId: "s2", payload: { prompt: "more" } });
    const refusal = await streaming.ofType("error", "s2");
    expect(refusal).toMatchObject({ code: "SHUTTING_DOWN" });
    expect(stoppedYet).toBe(false);

    release();
    const complete = await streaming.ofType("stream_complete", "s1", 5000);
    expect(complete).toMatchObject({ status: "completed" });
    const text = streaming.frames
      .filter((f) => f.type === "chunk" && f.requestId === "s1")
      .map((f) => f.content)
      .join("");
    expect(text).toBe("first second");
    expect((await within(streaming.closed, "the streaming client's close", 5000)).code).toBe(1012);
    expect(streaming.frames.at(-1)).toEqual({ type: "shutdown", reconnect: true });
    const sseEvents = await within(running.all, "the SSE stream's end", 5000);
    expect(sseEvents.at(-1)).toMatchObject({ event: "stream_complete" });
    expect(sseEvents.at(-1)?.data).toMatchObject({ status: "completed" });
    await within(stopped, "stop() to resolve", 5000);
  }, 30_000);

  it("at graceMs ends what still runs with SHUTTING_DOWN, then closes with 1012", async () => {
    const { backend } = gatedBackend(); // never released
    const { open, sse, server } = await start(framework, backend);
    const streaming = await open();
    streaming.send({ type: "stream", requestId: "s1", payload: { prompt: "go" } });
    await streaming.frame((f) => f.type === "chunk" && f.requestId === "s1", "the first chunk");
    const running = readSse(await sse("go"));
    await within(running.first, "the first SSE chunk");

    await within(server.stop({ graceMs: 300 }), "stop() to resolve", 10_000);
    const closed = await streaming.closed;
    expect(closed.code).toBe(1012);
    const mine = streaming.frames.filter((f) => f.requestId === "s1");
    expect(mine.at(-1)).toMatchObject({ type: "error", code: "SHUTTING_DOWN" });
    expect(streaming.frames.at(-1)).toEqual({ type: "shutdown", reconnect: true });
    const sseEvents = await within(running.all, "the SSE stream's end", 5000);
    expect(sseEvents.at(-1)).toMatchObject({ event: "error", data: { code: "SHUTTING_DOWN" } });
  }, 30_000);

  it("closes a connection whose work is detachable at once, and waits for the work", async () => {
    const { backend } = gatedBackend();
    server = await createServer(backend, {
      framework,
      config: { port: 0, host: "127.0.0.1", websocket: { pingInterval: 0 } },
    });
    let finishWork!: () => void;
    const work = new Promise<void>((resolve) => (finishWork = resolve));
    let deadlineAborted = false;
    server.websocket.registerHandler("/resumable", {
      onDrain: (_connection, deadline) => {
        deadline.addEventListener("abort", () => (deadlineAborted = true));
        return { done: work, detachable: true };
      },
    });
    await server.start();
    const client = await connect(WebSocket, `ws://127.0.0.1:${server.port}/resumable`);
    clients.push(client);
    await client.ofType("connected");

    const stopped = server.stop({ graceMs: 30_000 });
    let stoppedYet = false;
    void stopped.then(() => (stoppedYet = true));
    expect((await within(client.closed, "the close", 5000)).code).toBe(1012);
    expect(client.frames.at(-1)).toEqual({ type: "shutdown", reconnect: true });
    // The producer still runs: the drain has not ended, and its deadline has not fired.
    expect((await fetch(`http://127.0.0.1:${server.port}/api/ready`)).status).toBe(503);
    expect(stoppedYet).toBe(false);
    expect(deadlineAborted).toBe(false);
    finishWork();
    await within(stopped, "stop() to resolve", 5000);
  }, 30_000);
});

describe("stop({ graceMs }) checks its option", () => {
  it("throws a TypeError naming graceMs", async () => {
    server = await createServer(gatedBackend().backend, { config: { port: 0 } });
    expect(() => server!.stop({ graceMs: -1 })).toThrow(/"graceMs" option/);
  });
});

const here = dirname(fileURLToPath(import.meta.url));

describe.each(FRAMEWORKS)("a process draining on %s", (framework) => {
  it("exits by itself once the stream has finished and the drain is over", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(here, "fixtures", "serve-then-drain.ts"), framework],
      { cwd: join(here, ".."), stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const code = await within(
      new Promise<number | null>((resolve) => child.once("exit", resolve)),
      "the process to exit on its own",
      30_000,
    ).finally(() => child.kill("SIGKILL"));
    expect(output).toMatch(/^ended stream_complete completed, closed 1012$/m);
    expect(output).toMatch(/^stopped \d+$/m);
    expect(code).toBe(0);
    expect(Number(/^exited (\d+)$/m.exec(output)?.[1])).toBeLessThan(1000);
  }, 40_000);
});
