/**
 * Backpressure end to end: a client stops reading while the backend could produce forever. The
 * producer must pause (bounded pulls), the server must hold a bounded number of bytes, and when
 * the client reads again the stream resumes with every token, in order.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  connect,
  createTestBackend,
  TEST_TEXT,
  within,
  type TestClient,
} from "@agentsocket/core/testing";
import { createServer, type AgentServer, type Framework } from "./index.ts";

const BUFFER_SIZE = 64 * 1024;
const MAX_CHUNK = 4096;
const TOKENS = TEST_TEXT.match(/\S+\s*/g)!;
const expectedText = (tokens: number) =>
  Array.from({ length: tokens }, (_, i) => TOKENS[i % TOKENS.length]).join("");

/** Resolves once `read()` has stopped changing for `quietMs` (it is a plateau, not a sleep). */
async function plateau(read: () => number, quietMs = 300): Promise<number> {
  let last = read();
  let since = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return now;
  }
}

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe.each(["hono", "express", "fastify"] as Framework[])("backpressure on %s", (framework) => {
  it("pauses a producer for a client that stops reading, and loses nothing when it reads again", async () => {
    const backend = createTestBackend({ burst: true });
    server = await createServer(backend, {
      framework,
      config: {
        port: 0,
        host: "127.0.0.1",
        agent: { streaming: { bufferSize: BUFFER_SIZE, maxChunkSize: MAX_CHUNK } },
      },
    });
    await server.start();
    const client: TestClient = await connect(WebSocket, `ws://127.0.0.1:${server.port}/ws`);
    const { connectionId } = await client.ofType("connected");
    const socket = server.websocket.getConnection(connectionId as string)!.socket;

    client.socket.pause();
    client.send({ type: "stream", requestId: "bp", payload: { prompt: "forever" } });
    const pulledWhilePaused = await within(
      plateau(() => backend.state.pulled),
      "the producer to pause",
      15_000,
    );
    const buffered = socket.bufferedAmount;
    expect(pulledWhilePaused).toBeGreaterThan(0);
    // The channel stops at bufferSize; the frame that crossed the line is the only excess.
    expect(buffered, `bytes held after ${pulledWhilePaused} tokens`).toBeLessThanOrEqual(
      BUFFER_SIZE + MAX_CHUNK + 256,
    );
    expect(await plateau(() => backend.state.pulled)).toBe(pulledWhilePaused);

    client.socket.resume();
    const received = () =>
      client.frames.reduce(
        (n, f) => n + (f.type === "chunk" ? (f.content as string).length : 0),
        0,
      );
    const beforeResume = expectedText(pulledWhilePaused).length;
    // The kernel's loopback buffers hold megabytes of frames to read first: allow for a busy machine.
    await client.frame(
      () => received() > beforeResume && backend.state.pulled > pulledWhilePaused,
      "the stream to resume",
      15_000,
    );
    client.send({ type: "cancel", payload: { requestId: "bp" } });
    expect(
      await client.frame((f) => f.type === "stream_complete", "the cancelled end", 15_000),
    ).toMatchObject({ status: "cancelled" });

    const chunks = client.frames.filter((f) => f.type === "chunk");
    chunks.forEach((chunk, i) => expect(chunk.seq).toBe(i + 1));
    const text = chunks.map((f) => f.content).join("");
    // The token in flight when the cancel won the race may have been pulled but not sent.
    expect([expectedText(backend.state.pulled), expectedText(backend.state.pulled - 1)]).toContain(
      text,
    );
    client.socket.terminate();
  }, 40_000);
});
