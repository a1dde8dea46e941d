/**
 * Three instances — Hono, Express and Fastify — on one real redis-server: room, multi-room, user
 * and connection sends cross instances exactly once, cluster presence follows joins, leaves and
 * disconnects, and client joins are guarded by `rooms.authorizeJoin`.
 */
import { describe, expect, it } from "vitest";
import type { TestClient } from "@agentsocket/core/testing";
import { eventually, framesOf, join, useCluster, type ClusterNode } from "./cluster-harness.ts";

const harness = useCluster();
let run = 0;
/** Hono, Express and Fastify on a prefix of their own. */
const start = () =>
  harness.nodes({ prefix: `t${++run}`, presence: { ttlMs: 3000, heartbeatMs: 500 } });

/** Sends a fence from every node and waits until every client saw all of them. */
async function fence(nodes: ClusterNode[], clients: TestClient[], tag: string): Promise<void> {
  nodes.forEach((node, i) => node.server.websocket.broadcast({ type: "fence", tag, from: i }));
  await Promise.all(
    clients.map((c) =>
      eventually(
        () => framesOf(c, "fence").filter((f) => f.tag === tag).length === 3,
        `fence ${tag}`,
      ),
    ),
  );
}

describe("a cluster of hono, express and fastify on redis", () => {
  it("room, multi-room, user and connection sends reach each recipient once, and nobody else", async () => {
    const nodes = await start();
    const members = await Promise.all(nodes.map((node) => node.ws("alice")));
    const outsiders = await Promise.all(nodes.map((node) => node.ws("bob")));
    await Promise.all(members.map((m) => join(m, "lobby")));

    nodes.forEach((node, i) =>
      node.server.websocket.broadcastToRoom("lobby", { type: "room", from: i }),
    );
    await fence(nodes, [...members, ...outsiders], "rooms");
    for (const member of members)
      expect(
        framesOf(member, "room")
          .map((f) => f.from)
          .sort(),
      ).toEqual([0, 1, 2]);
    for (const outsider of outsiders) expect(framesOf(outsider, "room")).toEqual([]);
    // Binary frames cross instances byte for byte.
    nodes[1]!.server.websocket.broadcastToRoom("lobby", new Uint8Array([0, 1, 255]));
    for (const member of members) expect([...(await member.binary())]).toEqual([0, 1, 255]);

    // A member of both x and y (on express) gets one copy; a member of x only (fastify) too.
    const both = await nodes[1]!.ws("carol");
    const onlyX = await nodes[2]!.ws("dave");
    await Promise.all([join(both, "x"), join(both, "y"), join(onlyX, "x")]);
    expect(nodes[0]!.server.websocket.broadcastToRooms(["x", "y"], { type: "multi" })).toBe(0);
    // sendToUser crosses instances: carol's express connection and a new one on hono.
    const carolOnHono = await nodes[0]!.ws("carol");
    nodes[2]!.server.websocket.sendToUser("carol", { type: "for-carol" });
    const { connectionId } = await members[0]!.ofType("connected");
    expect(
      nodes[2]!.server.websocket.sendToConnection(connectionId as string, { type: "direct" }),
    ).toBe(true);
    const everyone = [...members, ...outsiders, both, onlyX, carolOnHono];
    await fence(nodes, everyone, "sends");
    expect(framesOf(both, "multi")).toHaveLength(1);
    expect(framesOf(onlyX, "multi")).toHaveLength(1);
    expect(framesOf(both, "for-carol")).toHaveLength(1);
    expect(framesOf(carolOnHono, "for-carol")).toHaveLength(1);
    expect(framesOf(members[0]!, "direct")).toHaveLength(1);
    for (const other of everyone.filter((c) => c !== both && c !== onlyX))
      expect(framesOf(other, "multi")).toEqual([]);
    for (const other of everyone.filter((c) => c !== members[0]))
      expect(framesOf(other, "direct")).toEqual([]);
  });

  it("cluster presence follows join, leave and disconnect; client joins need authorizeJoin", async () => {
    const nodes = await start();
    const [a, b, c] = await Promise.all([
      nodes[0]!.ws("alice"),
      nodes[1]!.ws("alice"),
      nodes[2]!.ws("bob"),
    ]);
    c!.send({ type: "join", requestId: "s", payload: { room: "secret" } });
    expect(await c!.ofType("error", "s")).toMatchObject({ code: "FORBIDDEN" });
    await Promise.all([join(a!, "lobby"), join(b!, "lobby"), join(c!, "lobby")]);
    const info = () => nodes[1]!.server.websocket.cluster.fetchRoomInfo("lobby");
    expect(await info()).toEqual({ name: "lobby", memberCount: 3, userCount: 2 });
    expect(nodes[0]!.server.websocket.getRoomInfo("lobby")?.memberCount).toBe(1);
    // Node connection counts come with each heartbeat (every 500 ms here).
    const stats = () => nodes[2]!.server.websocket.cluster.fetchStats();
    await eventually(async () => (await stats()).connections === 3, "3 connections in fetchStats");
    expect((await stats()).nodes.map((n) => n.connections)).toEqual([1, 1, 1]);

    c!.send({ type: "leave", requestId: "l", payload: { room: "lobby" } });
    await c!.ofType("left", "l");
    await eventually(async () => (await info()).userCount === 1, "bob's leave in presence");
    expect(await info()).toEqual({ name: "lobby", memberCount: 2, userCount: 1 });
    await a!.close();
    await eventually(
      async () => (await info()).memberCount === 1,
      "alice's disconnect in presence",
    );

    await nodes[0]!.server.stop(); // a clean shutdown leaves presence at once, not after the TTL
    const left = await nodes[1]!.server.websocket.cluster.fetchStats();
    expect(left.nodes.map((n) => n.id).sort()).toEqual(
      [nodes[1]!, nodes[2]!].map((n) => n.server.websocket.cluster.nodeId).sort(),
    );
  });
});
