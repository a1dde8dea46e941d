/**
 * Issue 13: with a Redis broker, `maxConnectionsPerUser` and `agent.maxStreamsPerMinute` count a
 * user across the instances (hono, express and fastify on one redis-server); an instance that dies
 * (SIGKILL) gives its user's places back within the TTL; Redis down, the limits fail open to each
 * instance's own count and nothing crashes; `agentsocket serve` with `REDIS_URL` does the same.
 */
import { spawn } from "node:child_process";
import { dirname, join as joinPath } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { createClient } from "redis";
import { WebSocket } from "ws";
import { connect, refused, tryConnect, type TestClient } from "@agentsocket/core/testing";
import { main } from "./cli.ts";
import { recorder } from "./cli-recorder.ts";
import { eventually, useCluster, type ClusterNode } from "./cluster-harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = joinPath(here, "fixtures", "limits-node.ts");
const harness = useCluster();

const handshake = async (node: ClusterNode | string, user: string) => {
  const base = typeof node === "string" ? node : node.base;
  const result = await tryConnect(WebSocket, `ws://${base}/ws?token=${user}`);
  if (result.ok) harness.track.clients.push(result.client);
  return result.ok ? { ok: true as const, client: result.client } : result;
};

const stream = async (client: TestClient, requestId: string) => {
  client.send({ type: "stream", requestId, payload: { prompt: "hi" } });
  return client.frame(
    (f) => f.requestId === requestId && (f.type === "stream_complete" || f.type === "error"),
    `the end of ${requestId}`,
    10_000,
  );
};

it("maxConnectionsPerUser counts a user across instances; a close frees a place cluster-wide", async () => {
  const nodes = await harness.nodes({}, { websocket: { maxConnectionsPerUser: 2 } });
  const [hono, express, fastify] = nodes as [ClusterNode, ClusterNode, ClusterNode];
  const first = await hono.ws("alice");
  await express.ws("alice");
  expect(await handshake(fastify, "alice")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));
  await fastify.ws("bob"); // another user is not affected
  await fastify.ws("bob");

  first.socket.close();
  await eventually(async () => (await handshake(fastify, "alice")).ok, "alice's freed place");
  // Two again (express, fastify): the instance she left refuses her now.
  expect(await handshake(hono, "alice")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));
}, 30_000);

it("agent.maxStreamsPerMinute counts a user's streams across instances, over WebSocket and HTTP", async () => {
  const nodes = await harness.nodes({}, { config: { agent: { maxStreamsPerMinute: 2 } } });
  const [hono, express, fastify] = nodes as [ClusterNode, ClusterNode, ClusterNode];
  expect(await stream(await hono.ws("alice"), "s1")).toMatchObject({ type: "stream_complete" });
  expect(await stream(await express.ws("alice"), "s2")).toMatchObject({ type: "stream_complete" });
  const third = await fastify.ws("alice");
  const refusal = await stream(third, "s3");
  expect(refusal).toMatchObject({ type: "error", code: "RATE_LIMITED", requestId: "s3" });
  expect(refusal.error).toMatch(/^At most 2 streams per minute: retry in (59|60) s$/);
  expect(third.frames.some((f) => f.type === "stream_start")).toBe(false);
  const overHttp = await fetch(`http://${hono.base}/api/agent/stream`, {
    method: "POST",
    headers: { authorization: "Bearer alice", "content-type": "application/json" },
    body: JSON.stringify({ prompt: "hi", requestId: "h1" }),
  });
  expect(overHttp.status).toBe(429);
  expect(await overHttp.json()).toMatchObject({ code: "RATE_LIMITED", requestId: "h1" });
  expect(await stream(await fastify.ws("bob"), "b1")).toMatchObject({ type: "stream_complete" });
}, 30_000);

it("one Lua call per handshake and per stream start; none when this instance's count refuses", async () => {
  const probe = createClient({ url: harness.redis.url });
  await probe.connect();
  harness.defer(() => probe.close());
  const scripts = async () => {
    const stats = String(await probe.info("commandstats"));
    return Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  };
  const node = await harness.node(
    "express",
    { prefix: "counted", presence: { ttlMs: 600_000, heartbeatMs: 300_000 } }, // no beat meanwhile
    { websocket: { maxConnectionsPerUser: 1 }, config: { agent: { maxStreamsPerMinute: 1 } } },
  );
  // Redis has both scripts from here on (the first call of each is an EVAL).
  expect(await stream(await node.ws("dave"), "d0")).toMatchObject({ type: "stream_complete" });
  const start = await scripts();
  const alice = await node.ws("alice");
  expect(await scripts()).toBe(start + 1);
  expect(await handshake(node, "alice")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));
  expect(await stream(alice, "n1")).toMatchObject({ type: "stream_complete" });
  expect(await scripts()).toBe(start + 2);
  expect(await stream(alice, "n2")).toMatchObject({ type: "error", code: "RATE_LIMITED" });
  expect(await scripts()).toBe(start + 2); // both refusals decided here, without Redis
}, 30_000);

it("an instance killed with SIGKILL gives its user's places back within the TTL", async () => {
  const prefix = "limits-sigkill";
  const child = spawn(process.execPath, ["--import", "tsx", fixture, harness.redis.url, prefix], {
    cwd: joinPath(here, ".."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  harness.defer(() => void child.kill("SIGKILL"));
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (data: Buffer) => {
      out += String(data);
      if (out.includes("\n")) resolve(out.split(" ")[1]!.trim());
    });
    child.once("exit", (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  const remote = await connect(WebSocket, `ws://127.0.0.1:${port}/ws?token=carol`);
  harness.track.clients.push(remote);
  await remote.ofType("connected");
  const local = await harness.node(
    "fastify",
    { prefix, presence: { ttlMs: 1500, heartbeatMs: 300 } },
    { websocket: { maxConnectionsPerUser: 1 } },
  );
  expect(await handshake(local, "carol")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));

  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  const freed = await eventually(
    async () => (await handshake(local, "carol")).ok,
    "the dead instance's place to expire",
    6000,
  );
  console.log(`[limits] carol's place on the killed instance freed ${freed} ms after (TTL 1500)`);
  // The TTL plus the polling handshakes' own time on a loaded machine; never the 30 s default.
  expect(freed).toBeLessThan(1500 + 2000);
}, 30_000);

it("Redis down: the limits count on each instance (fail open), handshakes and streams go on", async () => {
  const redis = await harness.ownRedis();
  const options = {
    websocket: { maxConnectionsPerUser: 1 },
    config: { agent: { maxStreamsPerMinute: 1 } },
  };
  const [hono, express] = await Promise.all([
    harness.node("hono", { url: redis.url }, options),
    harness.node("express", { url: redis.url }, options),
  ]);
  const alice = await hono.ws("alice");
  expect(await handshake(express, "alice")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));

  await redis.kill();
  await eventually(async () => (await express.ready()) === 503, "express to see Redis down");
  const started = Date.now();
  const failedOpen = await handshake(express, "alice"); // the cluster would refuse; Redis cannot say
  expect(failedOpen.ok).toBe(true);
  expect(Date.now() - started).toBeLessThan(1000);
  // Each instance's own count still holds.
  expect(await handshake(hono, "alice")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));
  const other = failedOpen.ok ? failedOpen.client : alice;
  await other.ofType("connected");
  expect(await stream(other, "d1")).toMatchObject({ type: "stream_complete" });
  expect(await stream(other, "d2")).toMatchObject({ type: "error", code: "RATE_LIMITED" });
  expect(await stream(alice, "d3")).toMatchObject({ type: "stream_complete" });
  expect([alice.socket.readyState, other.socket.readyState]).toEqual([
    WebSocket.OPEN,
    WebSocket.OPEN,
  ]);
}, 30_000);

it("Redis not answering: a handshake waits limits.timeoutMs at most, then this instance decides", async () => {
  const options = { websocket: { maxConnectionsPerUser: 1 } };
  const [hono, fastify] = await Promise.all([
    harness.node("hono", {}, options),
    harness.node("fastify", {}, options),
  ]);
  await hono.ws("alice");
  expect(await handshake(fastify, "alice")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));
  const probe = createClient({ url: harness.redis.url });
  await probe.connect();
  harness.defer(() => probe.close());
  await probe.sendCommand(["CLIENT", "PAUSE", "2000", "ALL"]); // ends by itself
  const started = Date.now();
  await fastify.ws("bob");
  const took = Date.now() - started;
  console.log(`[limits] a handshake with Redis paused took ${took} ms (timeout 250 ms)`);
  expect(took).toBeLessThan(1500);
  expect(await handshake(fastify, "bob")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));
}, 30_000);

it("`agentsocket serve` with REDIS_URL counts the per-user cap and the stream rate across instances", async () => {
  const env = {
    REDIS_URL: harness.redis.url,
    AGENTSOCKET_REDIS_PREFIX: "cli-limits",
    AGENTSOCKET_DB: ":memory:",
    AGENTSOCKET_API_KEYS: "k1,k2",
    AGENTSOCKET_MAX_CONNECTIONS_PER_USER: "1",
    AGENTSOCKET_STREAMS_PER_MINUTE: "1",
  };
  const args = (framework: string) => [
    "serve",
    "--framework",
    framework,
    "--port",
    "0",
    "--host",
    "127.0.0.1",
  ];
  const [first, second] = await Promise.all(
    ["hono", "express"].map(async (framework) => {
      const server = await main(args(framework), env, recorder().runtime);
      if (server === undefined) throw new Error("serve did not start");
      harness.track.servers.push(server);
      return `127.0.0.1:${server.port}`;
    }),
  );
  const open = async (base: string, key: string) => {
    const result = await tryConnect(WebSocket, `ws://${base}/ws?apiKey=${key}`);
    if (!result.ok) return result;
    harness.track.clients.push(result.client);
    await result.client.ofType("connected");
    return result.client;
  };
  const one = (await open(first!, "k1")) as TestClient;
  expect(await open(second!, "k1")).toEqual(refused(429, "MAX_CONNECTIONS_PER_USER"));
  const other = (await open(second!, "k2")) as TestClient;
  expect(await stream(one, "c1")).toMatchObject({ type: "stream_complete" });
  const overHttp = await fetch(`http://${second}/api/agent/stream`, {
    method: "POST",
    headers: { "x-api-key": "k1", "content-type": "application/json" },
    body: JSON.stringify({ prompt: "hi", requestId: "c2" }),
  });
  expect(overHttp.status).toBe(429);
  expect(await stream(other, "c3")).toMatchObject({ type: "stream_complete" });
}, 30_000);
