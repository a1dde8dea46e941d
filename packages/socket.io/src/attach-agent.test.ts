/**
 * `attachAgent` on a plain Socket.IO server (no createServer), with the real `socket.io-client`:
 * every way a credential arrives, refusals, validation and limits as typed error events on a
 * connection that lives on, sanitized provider failures, disconnects aborting upstream,
 * `ai:reconnect`, the long-polling transport seed 002's client starts with, and bad options.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { SignJWT } from "jose";
import { Server } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import {
  createTestBackend,
  listenForTests,
  PROVIDER_SECRET,
  TEST_TEXT,
  type ConformanceServer,
} from "@agentsocket/core/testing";
import { attachAgent, type SocketIOAgentOptions } from "./index.ts";
import { connectTestClient, type TestClient } from "./testing.ts";

const SECRET = "socket-io-test-secret-at-least-32-bytes!";
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(SECRET));

const WORDS = TEST_TEXT.match(/\S+\s*/g)!;

/** Resolves once `read()` has stopped changing for `quietMs` (a plateau, not a sleep). */
async function plateau(read: () => number, quietMs = 300): Promise<number> {
  let [last, since] = [read(), Date.now()];
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return now;
  }
}

let running: ConformanceServer[] = [];
let clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients) client.close();
  await Promise.all(running.map((server) => server.stop()));
  [running, clients] = [[], []];
});

async function serve(options: SocketIOAgentOptions = {}, backend = createTestBackend()) {
  const http: HttpServer = createServer();
  const io = new Server(http, { serveClient: false });
  const served = attachAgent(io, backend, options);
  const server = await listenForTests(http, async () => {
    served.close();
    await io.close();
  });
  running.push(server);
  const connect = async (clientOptions: Parameters<typeof connectTestClient>[1] = {}) => {
    const client = await connectTestClient(`${server.url}/ai`, clientOptions);
    clients.push(client);
    return client;
  };
  return { url: server.url, backend, served, connect };
}

describe("handshake auth", () => {
  it("takes a JWT from auth.token, the Authorization header or ?token=; the user comes from sub", async () => {
    const { connect, backend } = await serve({
      auth: { strategy: "bearer", jwt: { secret: SECRET } },
    });
    const token = await sign({ sub: "alice" });
    const byAuth = await connect({ auth: { token } });
    const byHeader = await connect({ extraHeaders: { authorization: `Bearer ${token}` } });
    const byQuery = await connect({ query: { token } });
    for (const client of [byAuth, byHeader, byQuery]) {
      client.socket.emit("ai:stream", { prompt: "hi" });
      await client.next("ai:done");
    }
    expect(backend.state.requests.map((r) => r.context)).toEqual(
      Array(3).fill(expect.objectContaining({ userId: "alice" })),
    );
    await expect(connect({ auth: { token: `${token}x` } })).rejects.toMatchObject({
      message: "unauthorized",
      data: { code: "UNAUTHORIZED" },
    });
    await expect(connect()).rejects.toMatchObject({ message: "unauthorized" });
  });

  it("an API key in auth.token; a missing role or a foreign origin is connect_error forbidden", async () => {
    const { connect } = await serve({
      auth: {
        strategy: "apiKey",
        apiKeys: { k1: { id: "bob", roles: ["user"] } },
        roles: ["admin"],
      },
    });
    await expect(connect({ auth: { token: "k1" } })).rejects.toMatchObject({
      message: "forbidden",
      data: { code: "FORBIDDEN" },
    });
    const open = await serve({
      auth: { strategy: "apiKey", apiKeys: ["k2"] },
      allowedOrigins: ["https://app.example"],
    });
    await open.connect({ auth: { token: "k2" }, extraHeaders: { origin: "https://app.example" } });
    await expect(
      open.connect({ auth: { token: "k2" }, extraHeaders: { origin: "https://evil.example" } }),
    ).rejects.toMatchObject({ message: "forbidden", data: { code: "ORIGIN_NOT_ALLOWED" } });
  });
});

describe("bad input and limits", () => {
  it("answers typed error events and the connection lives on", async () => {
    const { connect } = await serve({ agent: { maxTokens: 1000, allowedModels: ["gpt-4"] } });
    const client = await connect();
    client.socket.emit("chat:start", { userId: "u" });
    expect(await client.next("chat:error")).toEqual({
      code: "VALIDATION_FAILED",
      message: expect.stringMatching(/^message: /),
    });
    client.socket.emit("chat:start", { message: "hi", model: "gpt-5" });
    expect(await client.next("chat:error")).toEqual({
      code: "VALIDATION_FAILED",
      message: "model: Model is not allowed",
    });
    client.socket.emit("chat:start", "not an object");
    expect(await client.next("chat:error")).toMatchObject({ code: "VALIDATION_FAILED" });
    client.socket.emit("ai:stream", { prompt: "hi", maxTokens: 5000, streamId: "big" });
    expect(await client.next("ai:stream:error")).toMatchObject({
      streamId: "big",
      code: "VALIDATION_FAILED",
      error: expect.stringMatching(/^maxTokens: /),
    });
    client.socket.emit("ai:cancel", {});
    expect(await client.next("ai:error")).toMatchObject({
      code: "VALIDATION_FAILED",
      details: "streamId: Required",
    });
    client.socket.emit("ai:stream", { prompt: "hi", streamId: 42 });
    expect(await client.next("ai:error")).toMatchObject({ code: "VALIDATION_FAILED" });
    // After all of that, the same connection still streams — with the allowed model.
    client.socket.emit("chat:start", {
      message: "hi",
      model: "gpt-4",
      conversationId: null,
      temperature: 0.7,
    });
    expect(await client.next("chat:end")).toMatchObject({ model: "gpt-4" });
    expect(client.socket.connected).toBe(true);
  });

  it("bounds streams per connection (chat and ai together) with TOO_MANY_STREAMS", async () => {
    const { connect } = await serve({ agent: { maxConcurrentStreams: 2 } });
    const client = await connect();
    client.socket.emit("chat:start", { message: "forever" });
    await client.next("chat:message");
    client.socket.emit("chat:start", { message: "again" });
    expect(await client.next("chat:error")).toMatchObject({ code: "TOO_MANY_STREAMS" });
    client.socket.emit("ai:stream", { prompt: "forever", streamId: "a" });
    await client.next("ai:stream:start");
    client.socket.emit("ai:stream", { prompt: "forever", streamId: "b" });
    expect(await client.next("ai:stream:error")).toMatchObject({
      streamId: "b",
      code: "TOO_MANY_STREAMS",
    });
    client.socket.emit("ai:cancel", { streamId: "a" });
    await client.next("ai:stream:cancelled");
    client.socket.emit("ai:stream", { prompt: "hi", streamId: "b" });
    expect(await client.next("ai:done")).toMatchObject({ streamId: "b" });
  });

  it("a provider failure is a sanitized chat:error / ai:stream:error; the real error reaches onError", async () => {
    const errors: string[] = [];
    const { connect } = await serve({ agent: { onError: (error) => errors.push(error.message) } });
    const client = await connect();
    client.socket.emit("chat:start", { message: "fail-mid" });
    expect(await client.next("chat:error")).toEqual({
      code: "PROVIDER_ERROR",
      message: "The model provider failed",
    });
    client.socket.emit("ai:stream", { prompt: "fail-before", streamId: "f" });
    expect(await client.next("ai:stream:error")).toEqual({
      streamId: "f",
      code: "PROVIDER_ERROR",
      error: "The model provider failed",
    });
    expect(JSON.stringify(client.order.map((e) => client.received(e)))).not.toContain(
      PROVIDER_SECRET,
    );
    expect(errors.join(" ")).toContain(PROVIDER_SECRET);
  });
});

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
    client.socket.emit("ai:stream", { prompt: "hi" });
    await client.next("ai:done");
    expect(
      client
        .received("ai:token")
        .map((t) => t.data)
        .join(""),
    ).toBe(pieces.join(""));
  });

  it("streams over long-polling too (seed 002's client connects with the default transports)", async () => {
    const { connect } = await serve();
    const client = await connect({ transports: ["polling"] });
    client.socket.emit("ai:stream", { prompt: "hi" });
    await client.next("ai:done");
    expect(
      client
        .received("ai:token")
        .map((t) => t.data)
        .join(""),
    ).toBe(TEST_TEXT);
  });
});

describe("options", () => {
  it("throws a TypeError naming a bad option", () => {
    const io = new Server();
    const backend = createTestBackend();
    expect(() => attachAgent(io, backend, { namespace: "ai" })).toThrow(/"namespace" option/);
    expect(() => attachAgent(io, backend, { reconnectWindow: -1 })).toThrow(
      /"reconnectWindow" option/,
    );
    expect(() => attachAgent(io.of("/x"), backend, { namespace: "/y" })).toThrow(
      /"namespace" option/,
    );
    expect(() => attachAgent(io, backend, { agent: { maxTokens: 0 } })).toThrow(
      /"maxTokens" option/,
    );
    expect(() => attachAgent(io, backend, { auth: { strategy: "bearer" } as never })).toThrow(
      TypeError,
    );
    expect(() => attachAgent({} as never, backend)).toThrow(/Socket.IO Server or Namespace/);
  });
});
