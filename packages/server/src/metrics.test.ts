/**
 * `GET /api/metrics` (issue 13) on every framework, real servers and real `ws` clients: the
 * connection gauge goes up and down, refused handshakes, streamed chunks, error frames and
 * heartbeat round trips are counted; `metrics: false` has no route; an app's own registry gets
 * the metrics; `manager.getStats()` answers seed 000's numbers.
 */
import { readFileSync } from "node:fs";
import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  connect,
  createTestBackend,
  tryConnect,
  within,
  type TestClient,
} from "@agentsocket/core/testing";
import {
  createServer,
  type AgentServer,
  type Framework,
  type ServerConfig,
  type WebSocketConnection,
} from "./index.ts";

let server: AgentServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.stop();
  server = undefined;
});

async function start(
  framework: Framework,
  config: ServerConfig = {},
  prepare?: (server: AgentServer) => void,
): Promise<AgentServer> {
  server = await createServer(createTestBackend(), {
    framework,
    config: { port: 0, host: "127.0.0.1", ...config },
  });
  prepare?.(server);
  await server.start();
  return server;
}

const base = () => `127.0.0.1:${server!.port}`;

async function open(path = "/ws?apiKey=k1"): Promise<TestClient> {
  const client = await connect(WebSocket, `ws://${base()}${path}`);
  clients.push(client);
  await client.ofType("connected");
  return client;
}

const scrape = async () => {
  const response = await fetch(`http://${base()}/api/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

/** The value of the sample `name{labels}` in a text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}) {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const present = (match[2] ?? "").split(",");
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}

/** Scrapes until `name{labels}` reads `value` (the server sees a close a little after the client). */
async function scrapeUntil(name: string, labels: Record<string, string>, value: number) {
  return within(
    (async () => {
      for (;;) {
        const text = await scrape();
        if (sample(text, name, labels) === value) return text;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })(),
    `${name} to read ${value}`,
    10_000,
  );
}

const apiKeyAuth: ServerConfig = {
  websocket: { auth: { strategy: "apiKey", apiKeys: ["k1"] } },
};

describe.each(["hono", "express", "fastify"] as Framework[])("metrics on %s", (framework) => {
  it("count connections (up, then down), a 401 refusal, streamed chunks and error frames", async () => {
    await start(framework, apiKeyAuth);
    const before = await scrape();
    expect(sample(before, "agentsocket_connections", { path: "/ws" })).toBe(0);
    expect(sample(before, "process_cpu_user_seconds_total")).toBeGreaterThanOrEqual(0);

    const refused = await tryConnect(WebSocket, `ws://${base()}/ws`);
    expect(refused).toMatchObject({ ok: false, status: 401, body: { code: "UNAUTHORIZED" } });
    const client = await open();
    let text = await scrape();
    expect(sample(text, "agentsocket_connections", { path: "/ws" })).toBe(1);
    expect(sample(text, "agentsocket_connections_opened_total", { path: "/ws" })).toBe(1);
    const rejection = { status: "401", code: "UNAUTHORIZED" };
    expect(sample(text, "agentsocket_handshake_rejections_total", rejection)).toBe(1);

    client.send({ type: "stream", requestId: "s1", payload: { prompt: "hello" } });
    await client.ofType("stream_complete", "s1");
    const chunks = client.frames.filter((f) => f.type === "chunk").length;
    expect(chunks).toBeGreaterThan(0);
    client.send("{not json");
    await client.frame((f) => f.type === "error" && f.code === "INVALID_JSON", "INVALID_JSON");

    text = await scrape();
    const ws = { path: "/ws" };
    expect(sample(text, "agentsocket_stream_chunks_total", ws)).toBe(chunks);
    expect(sample(text, "agentsocket_streams_total", { ...ws, status: "completed" })).toBe(1);
    expect(sample(text, "agentsocket_streams_active", ws)).toBe(0);
    expect(sample(text, "agentsocket_time_to_first_token_seconds_count", ws)).toBe(1);
    expect(sample(text, "agentsocket_stream_duration_seconds_count", ws)).toBe(1);
    expect(sample(text, "agentsocket_errors_total", { code: "INVALID_JSON" })).toBe(1);
    expect(sample(text, "agentsocket_messages_received_total", ws)).toBe(2);
    // connected, stream_start, the chunks, stream_complete, the error frame.
    const frames = client.frames.length;
    expect(frames).toBe(chunks + 4);
    expect(sample(text, "agentsocket_frames_sent_total", ws)).toBe(frames);
    // Every frame is JSON.stringify's output, so each parsed frame stringifies back to its bytes.
    const bytes = client.frames.reduce((sum, f) => sum + Buffer.byteLength(JSON.stringify(f)), 0);
    expect(sample(text, "agentsocket_bytes_sent_total", ws)).toBe(bytes);
    expect(text).not.toMatch(/connectionId|s1|k1/);

    await client.close();
    await scrapeUntil("agentsocket_connections", ws, 0);
  });

  it("report a running stream as active until it is cancelled", async () => {
    await start(framework, apiKeyAuth);
    const client = await open();
    client.send({ type: "stream", requestId: "f", payload: { prompt: "forever" } });
    await client.ofType("chunk", "f");
    expect(sample(await scrape(), "agentsocket_streams_active", { path: "/ws" })).toBe(1);
    client.send({ type: "cancel", payload: { requestId: "f" } });
    await client.ofType("stream_complete", "f");
    const text = await scrape();
    expect(sample(text, "agentsocket_streams_active", { path: "/ws" })).toBe(0);
    expect(sample(text, "agentsocket_streams_total", { status: "cancelled" })).toBe(1);
  });

  it("serve no metrics route with metrics: false", async () => {
    await start(framework, { metrics: false });
    expect((await fetch(`http://${base()}/api/metrics`)).status).toBe(404);
    expect(server!.metricsRegistry).toBeUndefined();
  });

  it("register the metrics in the app's own registry, next to its metrics", async () => {
    const registry = new Registry();
    new Counter({ name: "app_orders_total", help: "Orders", registers: [registry] }).inc(3);
    await start(framework, { metrics: { registry, defaultMetrics: false } });
    expect(server!.metricsRegistry).toBe(registry);
    await open("/ws");
    const own = await registry.metrics();
    expect(sample(own, "agentsocket_connections", { path: "/ws" })).toBe(1);
    expect(sample(own, "process_cpu_user_seconds_total")).toBeUndefined();
    const served = await scrape();
    expect(sample(served, "app_orders_total")).toBe(3);
    expect(sample(served, "agentsocket_connections", { path: "/ws" })).toBe(1);
  });

  it("measure heartbeat latency: onHeartbeat, connection.latency, getStats and the histogram", async () => {
    const beats: { id: string; latency: number }[] = [];
    let heard!: () => void;
    const beat = new Promise<void>((resolve) => (heard = resolve));
    const onHeartbeat = (connection: WebSocketConnection, latency: number) => {
      beats.push({ id: connection.id, latency });
      heard();
    };
    const heartbeat = { websocket: { pingInterval: 50, pongTimeout: 2000 } };
    await start(framework, heartbeat, (s) => s.websocket.registerHandler("/beat", { onHeartbeat }));
    const client = await open("/beat");
    const { connectionId } = await client.ofType("connected");
    await within(beat, "a heartbeat", 10_000);
    expect(beats[0]!.id).toBe(connectionId);
    expect(beats[0]!.latency).toBeGreaterThanOrEqual(0);
    expect(beats[0]!.latency).toBeLessThan(2000);
    const latency = server!.websocket.getConnection(connectionId as string)!.latency;
    expect(latency).toBe(beats.at(-1)!.latency);
    expect(server!.websocket.getStats().averageLatency).toEqual(expect.any(Number));
    const text = await scrape();
    const count = sample(text, "agentsocket_heartbeat_latency_seconds_count", { path: "/beat" });
    expect(count).toBeGreaterThanOrEqual(1);
  });

  it("answer getStats() with seed 000's numbers", async () => {
    await start(framework);
    expect(server!.websocket.getStats()).toMatchObject({
      activeConnections: 0,
      messagesReceived: 0,
      averageLatency: null,
    });
    const [a, b] = [await open("/ws"), await open("/ws")];
    for (let i = 0; i < 5; i++) a.send({ type: "ping", timestamp: i });
    b.send({ type: "ping", timestamp: 9 });
    await a.frame((f) => f.type === "pong" && f.timestamp === 4, "the last pong");
    await b.ofType("pong");
    const stats = server!.websocket.getStats();
    expect(stats).toMatchObject({
      activeConnections: 2,
      connectionsByPath: { "/ws": 2 },
      messagesReceived: 6,
      streamsActive: 0,
      rooms: 0,
      averageLatency: null,
    });
    expect(stats.messagesPerSecond).toBeGreaterThan(0);
    expect(stats.messagesPerSecond).toBeLessThanOrEqual(6);
    expect(stats.memoryUsage!.heapUsed).toBeGreaterThan(0);
    expect(stats.memoryUsage!.rss).toBeGreaterThanOrEqual(stats.memoryUsage!.heapUsed);
    expect(stats.uptime).toBeGreaterThanOrEqual(0);
  });
});

it("docs/metrics.md documents every agentsocket metric", async () => {
  const page = readFileSync(new URL("../../../docs/metrics.md", import.meta.url), "utf8");
  await start("hono");
  const names = server!.metricsRegistry!.getMetricsAsArray().map((metric) => metric.name);
  const ours = names.filter((name) => name.startsWith("agentsocket_"));
  expect(ours.length).toBeGreaterThanOrEqual(20);
  for (const name of ours) expect(page, name).toContain(`| \`${name}\``);
});
