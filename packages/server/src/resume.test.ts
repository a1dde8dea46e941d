/**
 * Resumable streams end to end, on every framework: a real network drop mid-stream (a TCP proxy
 * cut, no close frame), then `resume` on a new connection delivers the rest — the whole answer,
 * no word twice, none missing. Also the grace period, another user's resume, cancel by streamId
 * from another connection, and the log's size bound.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, within, type TestClient } from "@agentsocket/core/testing";
import { createServer, type AgentServer, type Framework } from "./index.ts";
import {
  createWordsBackend,
  isTerminal,
  resume,
  streamUntil,
  startProxy,
  streamFrames,
  textOf,
  wordsText,
  type CuttableProxy,
} from "./resume-harness.ts";

const USERS: Record<string, { id: string }> = { alice: { id: "alice" }, bob: { id: "bob" } };

let server: AgentServer | undefined;
let proxy: CuttableProxy | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await proxy?.close();
  await server?.stop();
  server = proxy = undefined;
});

async function start(
  framework: Framework,
  backend: ReturnType<typeof createWordsBackend>,
  resume: object | true,
) {
  server = await createServer(backend, {
    framework,
    config: {
      port: 0,
      host: "127.0.0.1",
      websocket: { auth: { strategy: "bearer", validate: (token) => USERS[token] ?? null } },
      agent: { resume },
    },
  });
  await server.start();
  const port = server.port!;
  proxy = await startProxy(port);
  const open = async (user: string, port: number) => {
    const client = await connect(WebSocket, `ws://127.0.0.1:${port}/ws?token=${user}`);
    clients.push(client);
    await client.ofType("connected");
    return client;
  };
  return {
    viaProxy: (user = "alice") => open(user, proxy!.port),
    direct: (user = "alice") => open(user, port),
  };
}

/** Waits until the server has seen the cut connection close. */
const serverSawDrop = () =>
  within(
    (async () => {
      while (server!.websocket.getConnectionCount() > 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    "the server to notice the drop",
    10_000,
  );

describe.each(["hono", "express", "fastify"] as Framework[])(
  "resumable streams on %s",
  (framework) => {
    it("resumes after a real drop: the whole answer once, offsets contiguous, one terminal frame", async () => {
      const backend = createWordsBackend(400, 40);
      const { viaProxy, direct } = await start(framework, backend, { graceMs: 10_000 });
      const first = await viaProxy();
      const started = await streamUntil(first, "tell me", 20);
      const streamId = started.streamId as string;
      expect(started).toMatchObject({ requestId: "s1", offset: 1, epoch: expect.any(String) });
      proxy!.cut();
      await serverSawDrop();
      backend.release(); // the rest is produced while nobody is connected

      const before = streamFrames(first, streamId);
      expect(before.map((f) => f.offset)).toEqual(before.map((_, i) => i + 1));
      const lastOffset = before.at(-1)!.offset as number;
      const second = await direct();
      const { resumed, frames } = await resume(second, streamId, lastOffset);
      expect(resumed).toMatchObject({
        type: "resumed",
        streamId,
        recovered: true,
        fromOffset: lastOffset,
      });
      expect(frames.map((f) => f.offset)).toEqual(frames.map((_, i) => lastOffset + 1 + i));
      expect(frames.every((f) => f.requestId === "s1")).toBe(true);
      expect(frames.filter(isTerminal)).toEqual([
        expect.objectContaining({ type: "stream_complete", status: "completed", requestId: "s1" }),
      ]);
      expect(frames.at(-1)).toMatchObject({ type: "stream_complete" });
      expect(textOf(before) + textOf(frames)).toBe(wordsText(400));
      expect(second.frames.indexOf(resumed)).toBeLessThan(second.frames.indexOf(frames[0]!));
    });

    it("aborts the producer graceMs after a drop with nobody back, not before, and logs the cancel", async () => {
      const backend = createWordsBackend(0);
      const { viaProxy, direct } = await start(framework, backend, { graceMs: 500 });
      const first = await viaProxy();
      const started = await streamUntil(first, "forever", 3);
      const cutAt = Date.now();
      proxy!.cut();
      const abortedAt = await within(backend.aborted, "the abort", 10_000);
      expect(abortedAt - cutAt).toBeGreaterThanOrEqual(500);
      const second = await direct();
      const { frames } = await resume(second, started.streamId as string, 0);
      expect(frames[0]).toMatchObject({ type: "stream_start", offset: 1 });
      expect(frames.at(-1)).toMatchObject({ type: "stream_complete", status: "cancelled" });
    });

    it("answers another user's resume with recovered:false and none of its frames", async () => {
      const backend = createWordsBackend(0);
      const { direct } = await start(framework, backend, true);
      const alice = await direct("alice");
      const started = await streamUntil(alice, "forever", 2);
      const bob = await direct("bob");
      const streamId = started.streamId as string;
      const { resumed } = await resume(bob, streamId, 0);
      expect(resumed).toEqual({
        type: "resumed",
        requestId: "r1",
        streamId,
        recovered: false,
        reason: "forbidden",
      });
      const { resumed: unknown } = await resume(bob, "no-such-stream", 0, "r2");
      expect(unknown).toMatchObject({ recovered: false, reason: "not_found" });
      // Bob's cancel of Alice's stream is ignored; a ping round trip shows nothing else came.
      bob.send({ type: "cancel", payload: { streamId } });
      bob.send({ type: "ping", requestId: "p" });
      await bob.ofType("pong");
      expect(bob.frames.filter((f) => "offset" in f || f.type === "chunk")).toEqual([]);
      expect(bob.frames.filter((f) => f.type === "error")).toEqual([]);
      const more = alice.frames.length;
      await alice.frame(() => alice.frames.length > more + 2, "Alice's stream going on");
    });

    it("cancels a stream by streamId from a new connection: upstream aborts, the log ends cancelled", async () => {
      const backend = createWordsBackend(0);
      const { viaProxy, direct } = await start(framework, backend, { graceMs: 60_000 });
      const first = await viaProxy();
      const started = await streamUntil(first, "forever", 3);
      proxy!.cut();
      const second = await direct();
      second.send({ type: "cancel", payload: { streamId: started.streamId } });
      await within(backend.aborted, "the abort", 10_000);
      const { frames } = await resume(second, started.streamId as string, 1);
      expect(frames.at(-1)).toMatchObject({ type: "stream_complete", status: "cancelled" });
    });
  },
);

describe("resumable streams: bounds and defaults", () => {
  it("ends a stream that outgrows maxFrames with STREAM_TOO_LARGE and stops the model", async () => {
    const backend = createWordsBackend(0);
    const { direct } = await start("hono", backend, { maxFrames: 20 });
    const client = await direct();
    client.send({ type: "stream", requestId: "s1", payload: { prompt: "forever" } });
    const end = await client.frame((f) => f.requestId === "s1" && isTerminal(f), "the end", 10_000);
    expect(end).toMatchObject({ type: "error", code: "STREAM_TOO_LARGE", offset: 21 });
    await within(backend.aborted, "the abort", 10_000);
    const frames = streamFrames(client, end.streamId as string);
    expect(frames.map((f) => f.offset)).toEqual(frames.map((_, i) => i + 1));
    expect(wordsText(100).startsWith(textOf(frames))).toBe(true);
  });

  it("keeps today's protocol without resume: no streamId, and resume is an unknown type", async () => {
    server = await createServer(createWordsBackend(5), {
      framework: "hono",
      config: { port: 0, host: "127.0.0.1" },
    });
    await server.start();
    const client = await connect(WebSocket, `ws://127.0.0.1:${server.port}/ws`);
    clients.push(client);
    client.send({ type: "stream", requestId: "s1", payload: { prompt: "hi" } });
    await client.ofType("stream_complete", "s1");
    expect(client.frames.some((f) => "streamId" in f || "offset" in f || "epoch" in f)).toBe(false);
    client.send({ type: "resume", requestId: "r1", payload: { streamId: "x", offset: 0 } });
    expect(await client.ofType("error", "r1")).toMatchObject({ code: "UNKNOWN_TYPE" });
  });
});
