/**
 * Issue 13: with a Redis broker, `maxConnectionsPerUser` and `agent.maxStreamsPerMinute` count a
 * user across the instances (hono, express and fastify on one redis-server); an instance that dies
 * (SIGKILL) gives its user's places back within the TTL; Redis down, the limits fail open to each
 * instance's own count and nothing crashes.
 */
import { spawn } from "node:child_process";
import { dirname, join as joinPath } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, refused, tryConnect, type TestClient } from "@agentsocket/core/testing";
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
    4000,
  );
  console.log(`[limits] carol's place on the killed instance freed ${freed} ms after (TTL 1500)`);
  expect(freed).toBeLessThan(1500 + 1000);
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
