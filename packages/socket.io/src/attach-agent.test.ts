/**
 * `attachAgent` on a plain Socket.IO server (no createServer), with the real `socket.io-client`:
 * every way a credential arrives, refusals, validation and limits as typed error events on a
 * connection that lives on, sanitized provider failures, and bad options (the connection's
 * lifecycle is in lifecycle.test.ts).
 */
import { Server } from "socket.io";
import { describe, expect, it } from "vitest";
import { createTestBackend, PROVIDER_SECRET } from "@agentsocket/core/testing";
import { attachAgent } from "./index.ts";
import { SECRET, sign, useAttachedAgent } from "./test-server.ts";

const serve = useAttachedAgent();

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

describe("options", () => {
  it("throws a TypeError naming a bad option", () => {
    const io = new Server();
    const backend = createTestBackend();
    expect(() => attachAgent(io, backend, { namespace: "ai" })).toThrow(/"namespace" option/);
    expect(() => attachAgent(io, backend, { reconnectWindow: -1 })).toThrow(
      /"reconnectWindow" option/,
    );
    expect(() => attachAgent(io, backend, { reconnectStore: {} as never })).toThrow(
      /"reconnectStore" option/,
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
