/**
 * `@agentsocket/redis` on a real Redis Cluster (3 masters spawned by the test, `createCluster`
 * clients): room sends cross instances over sharded pub/sub exactly once, and cluster presence
 * (its Lua scripts route by the room's hash tag) counts members across instances.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCluster } from "redis";
import { startRedisCluster, type RedisClusterProcess } from "@agentsocket/redis/testing";
import { eventually, FRAMEWORKS, framesOf, join, useCluster } from "./cluster-harness.ts";

let redis: RedisClusterProcess;
beforeAll(async () => {
  redis = await startRedisCluster(3);
}, 60_000);
afterAll(() => redis.stop());
// The nodes talk to the Redis Cluster above, not to a redis-server of the file's.
const harness = useCluster({ redis: false });

it("room sends cross instances on a Redis Cluster, once each, and presence counts across them", async () => {
  const client = () => createCluster({ rootNodes: redis.urls.map((url) => ({ url })) });
  const presence = { ttlMs: 3000, heartbeatMs: 500 };
  // A Cluster client of each node's own, as an app on each instance would have.
  const nodes = await Promise.all(
    FRAMEWORKS.map((framework) => harness.node(framework, { client: client(), presence })),
  );
  for (const node of nodes) expect(await node.ready()).toBe(200);
  // Rooms whose channels hash to different slots, so to different masters.
  const rooms = ["lobby", "ops", "sales", "support"];
  const members = await Promise.all(nodes.map((node) => node.ws("alice")));
  const outsider = await nodes[0]!.ws("bob");
  for (const room of rooms) await Promise.all(members.map((m) => join(m, room)));

  nodes.forEach((node, i) => {
    for (const room of rooms)
      node.server.websocket.broadcastToRoom(room, { type: "r", room, from: i });
  });
  for (const member of members) {
    await eventually(() => framesOf(member, "r").length >= 12, "every room send from every node");
  }
  await nodes[0]!.server.websocket.broadcastToRoom("lobby", { type: "fence" });
  await Promise.all(
    members.map((m) => eventually(() => framesOf(m, "fence").length === 1, "fence")),
  );
  for (const member of members) {
    const got = framesOf(member, "r")
      .map((f) => `${String(f.room)}/${String(f.from)}`)
      .sort();
    expect(got).toEqual(rooms.flatMap((room) => [0, 1, 2].map((i) => `${room}/${i}`)).sort());
  }
  expect(framesOf(outsider, "r")).toEqual([]);

  const info = await nodes[1]!.server.websocket.cluster.fetchRoomInfo("ops");
  expect(info).toMatchObject({ name: "ops", memberCount: 3, userCount: 1 });
  // Each node refreshes its connection count every heartbeat (500 ms here).
  const cluster = nodes[2]!.server.websocket.cluster;
  await eventually(async () => (await cluster.fetchStats()).connections === 4, "4 connections");
  const stats = await cluster.fetchStats();
  expect(stats.nodes).toHaveLength(3);
});
