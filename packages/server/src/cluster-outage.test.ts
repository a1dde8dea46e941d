/**
 * A cluster when things go wrong: Redis is SIGKILLed and restarted (readiness 503 then 200, local
 * delivery meanwhile, cross-instance delivery and presence back, no client dropped, no crash), and
 * an instance process is SIGKILLed (it leaves cluster presence within the presence TTL).
 */
import { spawn } from "node:child_process";
import { dirname, join as joinPath } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect } from "@agentsocket/core/testing";
import { eventually, framesOf, join, untilReady, useCluster } from "./cluster-harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = joinPath(here, "fixtures", "cluster-node.ts");
// Each test starts (and kills) a redis-server of its own.
const harness = useCluster({ redis: false });

it("Redis down: /ready 503, local delivery goes on, publishes fail fast; back: 200, fan-out and presence restored", async () => {
  const redis = await harness.ownRedis();
  const nodes = await harness.nodes({
    url: redis.url,
    presence: { ttlMs: 3000, heartbeatMs: 300 },
  });
  const members = await Promise.all(nodes.map((node) => node.ws("alice")));
  await Promise.all(members.map((m) => join(m, "lobby")));
  expect(await Promise.all(nodes.map((n) => n.ready()))).toEqual([200, 200, 200]);

  await redis.kill();
  const down = await untilReady(nodes, 503);
  const manager = nodes[0]!.server.websocket;
  const failures = manager.cluster.health().publishFailures;
  const started = Date.now();
  expect(manager.broadcastToRoom("lobby", { type: "during" })).toBe(1);
  await members[0]!.ofType("during");
  await eventually(() => manager.cluster.health().publishFailures === failures + 1, "the count");
  expect(Date.now() - started).toBeLessThan(1000); // failed fast, not after a command timeout
  await expect(manager.cluster.fetchRoomInfo("lobby")).rejects.toMatchObject({
    code: "BROKER_UNAVAILABLE",
  });
  // A client join while Redis is down still works locally.
  const late = await nodes[2]!.ws("bob");
  await join(late, "lobby");

  await redis.restart();
  const up = await untilReady(nodes, 200, 10_000);
  let sent = 0;
  const back = await eventually(() => {
    manager.broadcastToRoom("lobby", { type: "after", n: ++sent });
    return [members[1]!, members[2]!, late].every((m) => framesOf(m, "after").length > 0);
  }, "cross-instance delivery after the restart");
  await eventually(
    async () => (await nodes[1]!.server.websocket.cluster.fetchRoomInfo("lobby")).memberCount === 4,
    "presence restored from every node",
  );
  console.log(`[outage] 503 after ${down} ms; 200 after ${up} ms; fan-out back after ${back} ms`);
  expect(framesOf(members[1]!, "during")).toEqual([]); // at-most-once: lost during the outage
  for (const client of [...members, late]) expect(client.socket.readyState).toBe(WebSocket.OPEN);
}, 30_000);

it("an instance killed with SIGKILL leaves fetchStats and fetchRoomInfo within the presence TTL", async () => {
  const redis = await harness.ownRedis();
  const prefix = "sigkill";
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fixture, "express", redis.url, prefix],
    {
      cwd: joinPath(here, ".."),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  harness.defer(() => void child.kill("SIGKILL"));
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (data: Buffer) => {
      out += String(data);
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child.once("exit", (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  const [, port, childNode] = line.split(" ");
  const remote = await connect(WebSocket, `ws://127.0.0.1:${port}/ws?token=carol`);
  harness.track.clients.push(remote);
  await join(remote, "lobby");
  const local = await harness.node("hono", {
    url: redis.url,
    prefix,
    presence: { ttlMs: 1500, heartbeatMs: 300 },
  });
  await join(await local.ws("alice"), "lobby");
  const cluster = local.server.websocket.cluster;
  expect((await cluster.fetchStats()).nodes.map((n) => n.id)).toContain(childNode);
  expect(await cluster.fetchRoomInfo("lobby")).toMatchObject({ memberCount: 2, userCount: 2 });

  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  const gone = await eventually(
    async () =>
      (await cluster.fetchStats()).nodes.every((n) => n.id !== childNode) &&
      (await cluster.fetchRoomInfo("lobby")).memberCount === 1,
    "the killed node to leave presence",
    4000,
  );
  console.log(`[sigkill] the killed node left presence ${gone} ms after its death (TTL 1500 ms)`);
  expect(gone).toBeLessThan(1500 + 1000);
  expect(await cluster.fetchStats()).toMatchObject({ connections: 1 });
}, 30_000);
