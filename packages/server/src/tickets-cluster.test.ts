/**
 * Tickets across a cluster: hono, express and fastify instances on one real redis-server. A ticket
 * issued by any instance opens one connection on any other, as its user, exactly once — also when
 * two instances race for it.
 */
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { refused, tryConnect } from "@agentsocket/core/testing";
import { untilReady, useCluster, type ClusterNode } from "./cluster-harness.ts";

const harness = useCluster();
let run = 0;
/** Hono, Express and Fastify on a prefix of their own. */
const start = () => harness.nodes({ prefix: `tickets${++run}`, presence: false });

async function ticketFrom(node: ClusterNode, user: string): Promise<string> {
  const response = await fetch(`http://${node.base}/api/auth/websocket`, {
    method: "POST",
    headers: { authorization: `Bearer ${user}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { ticket: string }).ticket;
}

async function redeem(node: ClusterNode, ticket: string) {
  const result = await tryConnect(WebSocket, `ws://${node.base}/ws?ticket=${ticket}`);
  if (result.ok) harness.track.clients.push(result.client);
  return result;
}

describe("tickets on a cluster with a redis broker", () => {
  it("a ticket issued on one instance opens one connection on another, once", async () => {
    const [hono, express, fastify] = await start();
    const ticket = await ticketFrom(hono!, "alice");
    const opened = await redeem(express!, ticket);
    if (!opened.ok) throw new Error(`refused: ${JSON.stringify(opened)}`);
    const { connectionId } = await opened.client.ofType("connected");
    const alice = express!.server.websocket.getConnectionsByUser("alice");
    expect(alice.map((c) => c.id)).toEqual([connectionId]);
    expect(await redeem(fastify!, ticket)).toEqual(refused(401, "UNAUTHORIZED"));
    expect(await redeem(hono!, ticket)).toEqual(refused(401, "UNAUTHORIZED"));

    // Each framework issues and redeems: fastify's ticket on hono, express's on fastify.
    const carol = await redeem(hono!, await ticketFrom(fastify!, "carol"));
    const dave = await redeem(fastify!, await ticketFrom(express!, "dave"));
    expect([carol.ok, dave.ok]).toEqual([true, true]);
    expect(hono!.server.websocket.getConnectionsByUser("carol")).toHaveLength(1);
    expect(fastify!.server.websocket.getConnectionsByUser("dave")).toHaveLength(1);
  });

  it("two instances racing with one ticket: exactly one handshake wins", async () => {
    const nodes = await start();
    for (let round = 0; round < 5; round++) {
      const ticket = await ticketFrom(nodes[round % 3]!, "bob");
      const results = await Promise.all(nodes.map((node) => redeem(node, ticket)));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const lost of results.filter((r) => !r.ok))
        expect(lost).toEqual(refused(401, "UNAUTHORIZED"));
    }
  });

  it("while Redis is down, issuing and redeeming answer 503 BROKER_UNAVAILABLE, never a crash", async () => {
    const own = await harness.ownRedis();
    const node = await harness.node("express", { url: own.url, presence: false });
    const ticket = await ticketFrom(node, "dave");
    await own.kill();
    await untilReady([node], 503);
    const response = await fetch(`http://${node.base}/api/auth/websocket`, {
      method: "POST",
      headers: { authorization: "Bearer dave" },
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "BROKER_UNAVAILABLE" });
    expect(await redeem(node, ticket)).toEqual(refused(503, "BROKER_UNAVAILABLE"));
  });
});
