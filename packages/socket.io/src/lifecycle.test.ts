/**
 * `attachAgent`'s connection lifecycle on a plain Socket.IO server, with the real
 * `socket.io-client`: disconnects aborting upstream, `ai:reconnect` without resume, backpressure
 * from a client that stops reading, exact text, and the long-polling transport seed 002's client
 * starts with.
 */
import { describe, expect, it } from "vitest";
import { createTestBackend, TEST_TEXT } from "@agentsocket/core/testing";
import { plateau, useAttachedAgent } from "./test-server.ts";
import type { TestClient } from "./testing.ts";

const WORDS = TEST_TEXT.match(/\S+\s*/g)!;
const serve = useAttachedAgent();

/** Streams a prompt with `ai:stream` and returns the text its `ai:token` events carried. */
async function streamed(client: TestClient): Promise<string> {
  client.socket.emit("ai:stream", { prompt: "hi" });
  await client.next("ai:done");
  return client
    .received("ai:token")
    .map((t) => t.data)
    .join("");
}

describe("lifecycle", () => {
  it("a client that disconnects mid-stream aborts it upstream", async () => {
    const { connect, backend, served } = await serve();
    const client = await connect();
    client.socket.emit("ai:stream", { prompt: "forever" });
    await client.next("ai:token");
    const aborted = backend.state.nextAbort();
    client.close();
    await aborted;
    expect(served.clientCount).toBe(0);
  });

  it("ai:reconnect succeeds for a previous client of the same user, once; else ai:error", async () => {
    const validate = (token: string) =>
      ({ a: { id: "alice" }, m: { id: "mallory" } })[token] ?? null;
    const { connect } = await serve({ auth: { strategy: "bearer", validate } });
    const first = await connect({ auth: { token: "a" } });
    const previousClientId = first.socket.id!;
    first.close();
    await first.disconnected;
    const thief = await connect({ auth: { token: "m" } });
    thief.socket.emit("ai:reconnect", { previousClientId });
    expect(await thief.next("ai:error")).toEqual({
      code: "NOT_FOUND",
      error: "Unknown previous client",
    });
    const second = await connect({ auth: { token: "a" } });
    second.socket.emit("ai:reconnect", { previousClientId });
    expect(await second.next("ai:reconnect:success")).toEqual({
      previousClientId,
      newClientId: second.socket.id,
      rooms: [],
      streams: [],
    });
    second.socket.emit("ai:reconnect", { previousClientId });
    expect(await second.next("ai:error")).toMatchObject({ code: "NOT_FOUND" });
    second.socket.emit("ai:reconnect", { previousClientId: "never-seen" });
    expect(await second.next("ai:error")).toMatchObject({ code: "NOT_FOUND" });
  });

  it("a client that stops reading pauses its producer; nothing is lost when it reads again", async () => {
    const bufferSize = 16 * 1024;
    const backend = createTestBackend({ burst: true });
    const { connect } = await serve({ agent: { streaming: { bufferSize } } }, backend);
    const client = await connect();
    const ws = (
      client.socket.io.engine.transport as unknown as { ws: { pause(): void; resume(): void } }
    ).ws;
    ws.pause();
    client.socket.emit("ai:stream", { prompt: "forever", streamId: "bp" });
    const paused = await plateau(() => backend.state.pulled);
    expect(paused).toBeGreaterThan(0);
    expect(await plateau(() => backend.state.pulled)).toBe(paused);
    ws.resume();
    await client.next(
      "ai:token",
      (t) => backend.state.pulled > paused && String(t.data).length > 0,
      15_000,
    );
    client.socket.emit("ai:cancel", { streamId: "bp" });
    await client.next("ai:stream:cancelled", undefined, 15_000);
    expect(client.received("ai:backpressure")[0]).toMatchObject({
      streamId: "bp",
      queueSize: expect.any(Number),
    });
    const tokens = client.received("ai:token");
    expect(tokens.map((t) => t.tokenCount)).toEqual(tokens.map((_, i) => i + 1));
    const text = tokens.map((t) => t.data).join("");
    const expected = (n: number) =>
      Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length]).join("");
    expect([expected(backend.state.pulled), expected(backend.state.pulled - 1)]).toContain(text);
  }, 40_000);

  it("delivers text exactly, whatever it holds (quotes, escapes, a JSON key, emoji)", async () => {
    const pieces = ['say ,"content":"x"} ', '\\ "q" \n', "é 😀", "{}"];
    const backend = {
      generate: async () => ({ content: "" }),
      stream: async () => ({
        stream: (async function* () {
          for (const content of pieces) yield { content };
        })(),
      }),
    };
    const { connect } = await serve({}, backend as never);
    const client = await connect();
    expect(await streamed(client)).toBe(pieces.join(""));
  });

  it("streams over long-polling too (seed 002's client connects with the default transports)", async () => {
    const { connect } = await serve();
    const client = await connect({ transports: ["polling"] });
    expect(await streamed(client)).toBe(TEST_TEXT);
  });
});
