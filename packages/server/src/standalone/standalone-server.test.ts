/**
 * Seed 000's standalone server with real `ws` clients on port 0: connection and disconnect
 * events, a custom message type answered over a streaming channel, rooms, heartbeat latency,
 * compression, health checks, stats and metrics, and two servers joined through a real Redis by
 * `setMessageBroker({ type: "redis", url, prefix })`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, type TestClient } from "@agentsocket/core/testing";
import { startRedis, type RedisProcess } from "@agentsocket/redis/testing";
import { AgentSocketServer, NeuroLinkWebSocketServer, type ConnectionEvent } from "../index.ts";

const servers: AgentSocketServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(options: ConstructorParameters<typeof AgentSocketServer>[0] = {}) {
  const server = new AgentSocketServer({ port: 0, host: "127.0.0.1", ...options });
  servers.push(server);
  return server;
}

async function open(server: AgentSocketServer, headers: Record<string, string> = {}) {
  const client = await connect(WebSocket, `ws://127.0.0.1:${server.port}`, { headers });
  clients.push(client);
  const connected = await client.ofType("connected");
  return { client, connectionId: connected.connectionId as string };
}

/** Resolves with the next payload of `event`. */
function next<T>(server: AgentSocketServer, event: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (payload: T) => {
      server.off(event, listener as never);
      resolve(payload);
    };
    server.on(event, listener as never);
  });
}

describe("AgentSocketServer (seed 000)", () => {
  it("is NeuroLinkWebSocketServer too, and emits connection and disconnect", async () => {
    expect(NeuroLinkWebSocketServer).toBe(AgentSocketServer);
    const server = await serve();
    const connections: ConnectionEvent[] = [];
    server.on("connection", (event) => void connections.push(event));
    await server.start();
    const { client, connectionId } = await open(server, { "user-agent": "seed-000-test" });
    expect(connections).toEqual([
      expect.objectContaining({
        connectionId,
        userAgent: "seed-000-test",
        remoteAddress: "127.0.0.1",
        path: "/",
      }),
    ]);
    expect(connections[0]!.headers["user-agent"]).toBe("seed-000-test");
    const disconnected = next(server, "disconnect");
    client.socket.close(1000, "bye");
    expect(await disconnected).toEqual({ connectionId, code: 1000, reason: "bye" });
    expect(server.getStats().activeConnections).toBe(0);
  });

  it("dispatches a custom message type; the handler streams back on a channel", async () => {
    const server = await serve();
    server.on("chat-message", ({ connectionId, message }) => {
      const channel = server.createStreamingChannel(connectionId, "chat-1");
      const prompt = (message.data as { prompt: string }).prompt;
      channel.send({ type: "text-start", data: { prompt } });
      void channel.send("Hello, ");
      void channel.send(prompt);
      channel.complete({ totalChunks: channel.getChunkCount() });
    });
    let fakeConnections = 0;
    server.on("connection", () => void fakeConnections++);
    await server.start();
    const { client } = await open(server);
    client.send({ type: "chat-message", data: { prompt: "world" } });
    const complete = await client.ofType("stream_complete", "chat-1");
    expect(complete).toMatchObject({ status: "completed", totalChunks: 2 });
    const mine = client.frames.filter((frame) => frame.requestId === "chat-1");
    expect(mine[0]).toMatchObject({ type: "text-start", data: { prompt: "world" } });
    const text = mine.filter((frame) => frame.type === "chunk").map((frame) => frame.content);
    expect(text.join("")).toBe("Hello, world");

    // An unhandled type is an error frame; a client cannot fire the server's own events.
    client.send({ type: "nobody-listens" });
    expect(await client.ofType("error")).toMatchObject({ code: "UNKNOWN_TYPE" });
    client.send({ type: "connection", connectionId: "forged" });
    client.send({ type: "ping" });
    await client.ofType("pong");
    expect(fakeConnections).toBe(1);
  });

  it("keeps rooms: join, info, broadcast, leave", async () => {
    const server = await serve();
    server.on("connection", ({ connectionId }) => void server.joinRoom(connectionId, "general"));
    await server.start();
    const a = await open(server);
    const b = await open(server);
    expect(server.getRoomInfo("general")?.memberCount).toBe(2);
    expect(server.getUserRooms(a.connectionId)).toEqual(["general"]);
    server.broadcastToRoom("general", { type: "announcement", data: { n: 1 } });
    for (const { client } of [a, b])
      expect(await client.ofType("announcement")).toMatchObject({ data: { n: 1 } });
    expect(server.leaveRoom(a.connectionId, "general")).toBe(true);
    server.broadcastToRooms(["general", "other"], { type: "announcement", data: { n: 2 } });
    await b.client.frame(
      (f) => f.type === "announcement" && (f.data as { n: number }).n === 2,
      "n=2",
    );
    server.sendMessage(a.connectionId, { type: "welcome" });
    await a.client.ofType("welcome");
    expect(a.client.frames.filter((f) => f.type === "announcement")).toHaveLength(1);
    expect(server.getRooms()).toEqual(["general"]);
  });

  it("reports each pong as a heartbeat with its latency, averaged in getStats()", async () => {
    const server = await serve({ heartbeatInterval: 50 });
    await server.start();
    const beat = next<{ connectionId: string; latency: number }>(server, "heartbeat");
    const { connectionId } = await open(server);
    const heartbeat = await beat;
    expect(heartbeat.connectionId).toBe(connectionId);
    expect(heartbeat.latency).toBeGreaterThanOrEqual(0);
    expect(heartbeat.latency).toBeLessThan(10_000);
    expect(server.getStats().averageLatency).toBeGreaterThanOrEqual(0);
  });

  it("negotiates permessage-deflate with enableCompression, not without", async () => {
    const plain = await serve();
    const compressed = await serve({ enableCompression: true });
    await Promise.all([plain.start(), compressed.start()]);
    const extensions = async (server: AgentSocketServer) =>
      ((await open(server)).client.socket as unknown as { extensions: string }).extensions;
    expect(await extensions(compressed)).toMatch(/^permessage-deflate/);
    expect(await extensions(plain)).toBe("");
  });

  it("answers /health from its checks, /ready, /metrics and getStats()", async () => {
    const server = await serve();
    let dbUp = true;
    server.addHealthCheck("db", () =>
      dbUp ? { status: "healthy", message: "ok" } : { status: "unhealthy", message: "down" },
    );
    server.addHealthCheck("cache", async () => ({ status: "healthy" }));
    server.enableMetrics({ exportPrometheus: true, metricsEndpoint: "/metrics" });
    await server.start();
    const base = `http://127.0.0.1:${server.port}`;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: "healthy",
      checks: { db: { status: "healthy" } },
    });
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    dbUp = false;
    expect((await fetch(`${base}/health`)).status).toBe(503);
    expect(await (await fetch(`${base}/ready`)).json()).toMatchObject({ status: "not ready" });

    const { client } = await open(server);
    server.on("note", () => {});
    client.send({ type: "note" });
    client.send({ type: "note" });
    client.send({ type: "ping" });
    await client.ofType("pong");
    const stats = server.getStats();
    expect(stats).toMatchObject({ activeConnections: 1, totalConnections: 1 });
    expect(stats.totalMessages).toBeGreaterThanOrEqual(2);
    expect(stats.messagesPerSecond).toBeGreaterThan(0);
    expect(stats.memoryUsage.rss).toBeGreaterThan(0);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain("# TYPE agentsocket_connections gauge");
    expect(metrics).toMatch(/^agentsocket_connections 1$/m);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it("refuses bad options and a broker set after start()", async () => {
    expect(() => new AgentSocketServer({ port: 70_000 })).toThrow('"port"');
    expect(() => new AgentSocketServer({ maxConnections: 0 })).toThrow('"maxConnections"');
    const server = await serve();
    await server.start();
    expect(() => server.setMessageBroker({ type: "memory" })).toThrow("before start()");
  });
});

describe("AgentSocketServer.setMessageBroker({ type: 'redis' })", () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it("joins two servers: a room broadcast on one reaches a member on the other", async () => {
    const [a, b] = [await serve(), await serve()];
    for (const server of [a, b])
      server.setMessageBroker({ type: "redis", url: redis.url, prefix: "standalone" });
    b.on("connection", ({ connectionId }) => void b.joinRoom(connectionId, "general"));
    await Promise.all([a.start(), b.start()]);
    const member = await open(b);
    await expect
      .poll(() => a.websocket.cluster.fetchRoomInfo("general").then((r) => r.memberCount))
      .toBe(1);
    a.broadcastToRoom("general", { type: "announcement", data: { from: "a" } });
    expect(await member.client.ofType("announcement")).toMatchObject({ data: { from: "a" } });
  }, 30_000);
});
