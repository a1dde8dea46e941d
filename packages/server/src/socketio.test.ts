/**
 * `config.socketio` on every framework, with the real `socket.io-client` 4.8 (websocket
 * transport, as seeds 001 and 002 configure it): handshake auth, seed 001's `chat:*` turn and
 * stop, seed 002's `ai:*` stream, cancel and heartbeat — with the upstream abort observed on
 * core's test backend — and `/ws` and the app's routes still answering beside it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  connect,
  createTestBackend,
  TEST_TEXT,
  tryConnect,
  type TestBackend,
} from "@agentsocket/core/testing";
import { connectTestClient, type TestClient } from "@agentsocket/socket.io/testing";
import { createServer, type AgentServer, type Framework } from "./create-server.ts";

const FRAMEWORKS: Framework[] = ["hono", "express", "fastify"];
const USERS: Record<string, { id: string }> = { "alice-token": { id: "alice" } };

let servers: AgentServer[] = [];
let clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  await Promise.all(servers.map((server) => server.stop()));
  servers = [];
  clients = [];
});

async function serve(framework: Framework, backend: TestBackend = createTestBackend()) {
  const server = await createServer(backend, {
    framework,
    config: {
      port: 0,
      host: "127.0.0.1",
      websocket: {
        pingInterval: 0,
        auth: { strategy: "bearer", validate: (token) => USERS[token] ?? null },
      },
      socketio: {},
    },
  });
  server.registerRoute({ method: "GET", path: "/app", handler: () => ({ mine: true }) });
  servers.push(server);
  await server.start();
  const base = `http://127.0.0.1:${server.port}`;
  const connectIo = async (token = "alice-token") => {
    const client = await connectTestClient(`${base}/ai`, { auth: { token } });
    clients.push(client);
    return client;
  };
  return { server, backend, base, connectIo };
}

const text = (client: TestClient, event: string, field: string) =>
  client
    .received(event)
    .map((payload) => payload[field])
    .join("");

describe.each(FRAMEWORKS)("config.socketio on %s", (framework) => {
  it("refuses a bad or missing token with connect_error unauthorized", async () => {
    const { connectIo } = await serve(framework);
    await expect(connectIo("stolen")).rejects.toMatchObject({
      message: "unauthorized",
      data: { code: "UNAUTHORIZED" },
    });
    await expect(connectIo("")).rejects.toMatchObject({ message: "unauthorized" });
  });

  it("chat:start streams chat:message chunks that concatenate to the answer, then chat:end", async () => {
    const { connectIo, backend } = await serve(framework);
    const client = await connectIo();
    client.socket.emit("chat:start", { userId: "mallory", message: "Hello", maxTokens: 4096 });
    const { conversationId } = await client.next("chat:conversation");
    const user = await client.next("chat:user-message");
    const end = await client.next("chat:end");
    expect(user).toEqual({ messageId: expect.any(String), content: "Hello" });
    expect(text(client, "chat:message", "content")).toBe(TEST_TEXT);
    expect(client.received("chat:message").every((m) => m.isComplete === false)).toBe(true);
    expect(end).toEqual({
      messageId: expect.any(String),
      conversationId,
      totalTokens: TEST_TEXT.match(/\S+\s*/g)!.length + 3,
      model: "default",
      finishReason: "stop",
    });
    expect(end.messageId).not.toBe(user.messageId);
    // The user is the token's, never the payload's.
    expect(backend.state.requests[0]?.context).toMatchObject({ userId: "alice" });
    expect(client.order.indexOf("chat:end")).toBe(client.order.length - 1);
  });

  it("chat:stop answers chat:stopped and aborts the stream upstream", async () => {
    const { connectIo, backend } = await serve(framework);
    const client = await connectIo();
    client.socket.emit("chat:start", { message: "forever", conversationId: "c-1" });
    await client.next("chat:message");
    const aborted = backend.state.nextAbort();
    client.socket.emit("chat:stop");
    expect(await client.next("chat:stopped")).toEqual({
      messageId: expect.any(String),
      conversationId: "c-1",
    });
    await aborted;
    expect(client.received("chat:conversation")).toEqual([]);
    expect(client.received("chat:end")).toEqual([]);
  });

  it("ai:connected arrives on connect with the client id and the limits", async () => {
    const { connectIo } = await serve(framework);
    const client = await connectIo();
    expect(await client.next("ai:connected")).toEqual({
      clientId: client.socket.id,
      maxConcurrentStreams: 4,
      backpressureThreshold: 65536,
    });
  });

  it("ai:stream answers ai:stream:start, ai:token… and ai:done {totalTokens, duration}", async () => {
    const { connectIo } = await serve(framework);
    const client = await connectIo();
    client.socket.emit("ai:stream", { prompt: "Explain this code", useOrchestrator: true });
    const { streamId } = await client.next("ai:stream:start");
    const done = await client.next("ai:done");
    expect(streamId).toMatch(/^stream_/);
    expect(text(client, "ai:token", "data")).toBe(TEST_TEXT);
    const tokens = client.received("ai:token");
    expect(tokens.map((t) => t.tokenCount)).toEqual(tokens.map((_, i) => i + 1));
    expect(tokens.every((t) => t.streamId === streamId)).toBe(true);
    expect(await client.next("ai:stream:complete")).toMatchObject({
      streamId,
      finishReason: "stop",
    });
    expect(done).toEqual({
      streamId,
      totalTokens: TEST_TEXT.match(/\S+\s*/g)!.length + 3,
      duration: expect.any(Number),
    });
    expect(client.order.slice(-2)).toEqual(["ai:stream:complete", "ai:done"]);
  });

  it("ai:cancel answers ai:stream:cancelled and aborts upstream; other streams run on", async () => {
    const { connectIo, backend } = await serve(framework);
    const client = await connectIo();
    client.socket.emit("ai:stream", { prompt: "forever", streamId: "s-1" });
    client.socket.emit("ai:stream", { prompt: "forever", streamId: "s-2" });
    await client.next("ai:token", (t) => t.streamId === "s-1");
    await client.next("ai:token", (t) => t.streamId === "s-2");
    const aborted = backend.state.nextAbort();
    client.socket.emit("ai:cancel", { streamId: "s-1" });
    expect(await client.next("ai:stream:cancelled")).toEqual({ streamId: "s-1" });
    await aborted;
    expect(backend.state.abortedAt).toHaveLength(1);
    const after = client.received("ai:token").length;
    await client.next("ai:token", (t) => t.streamId === "s-2" && Number(t.tokenCount) > after);
  });

  it("ai:heartbeat answers ai:heartbeat:ack with active streams and queue size", async () => {
    const { connectIo } = await serve(framework);
    const client = await connectIo();
    client.socket.emit("ai:heartbeat", {});
    expect(await client.next("ai:heartbeat:ack")).toEqual({
      timestamp: expect.any(Number),
      activeStreams: 0,
      queueSize: expect.any(Number),
    });
    client.socket.emit("ai:stream", { prompt: "forever" });
    await client.next("ai:token");
    client.socket.emit("ai:heartbeat", {});
    expect(await client.next("ai:heartbeat:ack")).toMatchObject({ activeStreams: 1 });
  });

  it("leaves /ws, the app's routes and unknown upgrade paths as they were", async () => {
    const { base } = await serve(framework);
    const response = await fetch(`${base}/app`);
    expect(await response.json()).toEqual({ mine: true });
    // Socket.IO's long-polling handshake is answered by engine.io, not the framework's 404.
    const polling = await fetch(`${base}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(200);
    expect(await polling.text()).toMatch(/^0\{"sid":/);
    const wsUrl = base.replace("http", "ws");
    const ws = await connect(WebSocket, `${wsUrl}/ws?token=alice-token`);
    expect(await ws.ofType("connected")).toMatchObject({ protocol: 1 });
    await ws.close();
    const refused = await tryConnect(WebSocket, `${wsUrl}/nowhere`);
    expect(refused).toMatchObject({ ok: false, status: 404, body: { code: "NOT_FOUND" } });
  });
});

describe("config.socketio options", () => {
  it("throws a TypeError naming a bad field, before anything starts", async () => {
    const backend = createTestBackend();
    const make = (socketio: unknown) =>
      createServer(backend, { config: { socketio: socketio as never } });
    await expect(make({ namespace: "ai" })).rejects.toThrow(
      'The "config.socketio.namespace" option must start with "/" (got "ai")',
    );
    await expect(make({ path: 3 })).rejects.toThrow(/"config.socketio.path" option/);
    await expect(make({ cors: "*" })).rejects.toThrow(/"config.socketio.cors" option/);
    await expect(make({ reconnectWindow: 0 })).rejects.toThrow(
      /"config.socketio.reconnectWindow" option/,
    );
    await expect(make("on")).rejects.toThrow(/"config.socketio" option/);
  });

  it("is off unless asked for: no Socket.IO endpoint answers", async () => {
    const server = await createServer(createTestBackend(), {
      config: { port: 0, host: "127.0.0.1" },
    });
    servers.push(server);
    await server.start();
    expect(server.socketio).toBeUndefined();
    const polling = await fetch(
      `http://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=polling`,
    );
    expect(polling.status).toBe(404);
  });
});
