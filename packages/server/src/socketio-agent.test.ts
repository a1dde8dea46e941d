/**
 * `config.agent` on the Socket.IO binding of `createServer`, with the real `socket.io-client`:
 * `ai:reconnect` over resumable streams, stored conversations through `chat:start {conversationId}`, and the limits `/ws` applies —
 * `websocket.rateLimit`, `agent.maxStreamsPerMinute`, `agent.maxInFlightRequests` — with the
 * same error codes, as `ai:error`/`ai:stream:error`/`chat:error`.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Server as SocketIOServer } from "socket.io";
import { WebSocket } from "ws";
import { connect, createTestBackend, TEST_TEXT, type TestBackend } from "@agentsocket/core/testing";
import { connectTestClient, type TestClient } from "@agentsocket/socket.io/testing";
import { createServer, type AgentServer } from "./create-server.ts";
import type { ServerConfig } from "./server-config.ts";

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function serve(config: ServerConfig, backend: TestBackend = createTestBackend()) {
  const server: AgentServer = await createServer(backend, {
    framework: "hono",
    config: { port: 0, host: "127.0.0.1", socketio: {}, ...config },
  });
  stops.push(() => server.stop());
  await server.start();
  const base = `http://127.0.0.1:${server.port}`;
  const connectIo = async (token?: string) => {
    const client: TestClient = await connectTestClient(
      `${base}/ai`,
      token ? { auth: { token } } : {},
    );
    stops.push(() => client.close());
    return client;
  };
  const connectWs = async (token: string) => {
    const ws = await connect(WebSocket, `${base.replace("http", "ws")}/ws?token=${token}`);
    stops.push(() => ws.close());
    return ws;
  };
  return { server, base, backend, connectIo, connectWs };
}

describe("ai:reconnect with config.agent.resume", () => {
  it("a stream of a client whose transport dropped goes on on the new client, every token once", async () => {
    const { server, connectIo } = await serve(
      { agent: { resume: true } },
      createTestBackend({ tokenDelay: 20 }),
    );
    const first = await connectIo();
    const previousClientId = first.socket.id!;
    first.socket.emit("ai:stream", { prompt: "hi", streamId: "s" });
    await first.next("ai:token");
    const io = server.socketio as SocketIOServer;
    io.of("/ai").sockets.get(previousClientId)!.conn.close();
    await first.disconnected;
    const second = await connectIo();
    const had = first.received<{ data: string }>("ai:token");
    second.socket.emit("ai:reconnect", { previousClientId, streams: { s: had.length } });
    await second.next("ai:done");
    const rest = second.received<{ data: string }>("ai:token");
    expect([...had, ...rest].map((token) => token.data).join("")).toBe(TEST_TEXT);
  });
});

describe("conversations through chat:start", () => {
  it("chat:start with the same conversationId continues it: history to the backend, both turns stored", async () => {
    const { base, backend, connectIo } = await serve({ agent: { conversations: true } });
    const client = await connectIo();
    client.socket.emit("chat:start", { message: "first question" });
    const { conversationId } = await client.next<{ conversationId: string }>("chat:conversation");
    const first = await client.next("chat:end");
    expect(first).toMatchObject({ conversationId, finishReason: "stop" });

    client.socket.emit("chat:start", { message: "second question", conversationId });
    const second = await client.next("chat:end");
    expect(second).toMatchObject({ conversationId });
    expect(client.received("chat:conversation")).toHaveLength(1);
    expect(backend.state.requests[1]).toMatchObject({
      input: { text: "second question" },
      conversationMessages: [
        expect.objectContaining({ role: "user", content: "first question" }),
        expect.objectContaining({ role: "assistant", content: TEST_TEXT }),
      ],
    });
    const stored = (await (await fetch(`${base}/api/conversations/${conversationId}`)).json()) as {
      messages: Array<{ id: string; role: string; content: string }>;
    };
    expect(stored.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "first question"],
      ["assistant", TEST_TEXT],
      ["user", "second question"],
      ["assistant", TEST_TEXT],
    ]);
    // chat:end names the stored answer.
    expect(stored.messages[3]!.id).toBe(second.messageId);

    client.socket.emit("chat:start", { message: "hi", conversationId: "nobody-has-this" });
    expect(await client.next("chat:error")).toMatchObject({ code: "NOT_FOUND" });
  });
});

const auth = { strategy: "bearer" as const, validate: (token: string) => ({ id: token }) };

describe("the limits of /ws, on the binding", () => {
  it("websocket.rateLimit: excess events answered RATE_LIMITED and not handled; a flood disconnects", async () => {
    const heard: Array<[string | undefined, string]> = [];
    const { backend, connectIo, connectWs } = await serve({
      websocket: { pingInterval: 0, rateLimit: { messagesPerSecond: 1, burst: 2, maxRefusals: 3 } },
      agent: {
        onError: (error, { type }) => heard.push([(error as { code?: string }).code, type]),
      },
    });
    const ws = await connectWs("x");
    for (const requestId of ["p1", "p2", "p3"]) ws.send({ type: "ping", requestId });
    expect(await ws.ofType("error", "p3")).toMatchObject({ code: "RATE_LIMITED" });

    const client = await connectIo();
    client.socket.emit("ai:heartbeat");
    client.socket.emit("ai:heartbeat");
    client.socket.emit("chat:start", { message: "hi" });
    expect(await client.next("chat:error")).toEqual({
      message: "Too many messages: slow down",
      code: "RATE_LIMITED",
    });
    client.socket.emit("ai:stream", { prompt: "hi", streamId: "s" });
    expect(await client.next("ai:stream:error")).toMatchObject({
      streamId: "s",
      code: "RATE_LIMITED",
    });
    client.socket.emit("ai:heartbeat");
    expect(await client.next("ai:error")).toMatchObject({ code: "RATE_LIMITED" });
    expect(client.received("ai:heartbeat:ack")).toHaveLength(2);
    client.socket.emit("ai:heartbeat");
    expect(await client.disconnected).toBe("io server disconnect");
    expect(heard).toEqual([["RATE_LIMITED", "connection"]]);
    expect(backend.state.requests).toEqual([]);
  });

  it("agent.maxStreamsPerMinute counts a user's streams over /ws and Socket.IO together", async () => {
    const { backend, connectIo, connectWs } = await serve({
      websocket: { pingInterval: 0, auth },
      agent: { maxStreamsPerMinute: 2 },
    });
    const client = await connectIo("alice");
    client.socket.emit("ai:stream", { prompt: "hi", streamId: "a" });
    await client.next("ai:done");
    const ws = await connectWs("alice");
    ws.send({ type: "stream", requestId: "w", payload: { prompt: "hi" } });
    await ws.ofType("stream_complete", "w");
    client.socket.emit("ai:stream", { prompt: "hi", streamId: "b" });
    expect(await client.next("ai:stream:error")).toMatchObject({
      streamId: "b",
      code: "RATE_LIMITED",
    });
    client.socket.emit("chat:start", { message: "hi" });
    expect(await client.next("chat:error")).toMatchObject({ code: "RATE_LIMITED" });
    const bob = await connectIo("bob");
    bob.socket.emit("ai:stream", { prompt: "hi" });
    await bob.next("ai:done");
    expect(backend.state.requests).toHaveLength(3);
  });

  it("agent.maxInFlightRequests refuses the next stream with TOO_MANY_REQUESTS", async () => {
    const { backend, connectIo } = await serve({
      agent: { maxInFlightRequests: 1, maxConcurrentStreams: 4 },
    });
    const client = await connectIo();
    client.socket.emit("ai:stream", { prompt: "forever", streamId: "long" });
    await client.next("ai:token");
    client.socket.emit("ai:stream", { prompt: "hi", streamId: "next" });
    expect(await client.next("ai:stream:error")).toEqual({
      streamId: "next",
      error: "At most 1 requests in flight per connection",
      code: "TOO_MANY_REQUESTS",
    });
    client.socket.emit("chat:start", { message: "hi" });
    expect(await client.next("chat:error")).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(backend.state.requests).toHaveLength(1);
    client.socket.emit("ai:cancel", { streamId: "long" });
    await client.next("ai:stream:cancelled");
  });
});
