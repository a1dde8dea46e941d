/**
 * Sessions in a cluster (issue 10): sessions live on the instance that holds them, but what other
 * instances send to a parked session — a room broadcast, `sendToConnection` to its old id,
 * `sendToUser` — is kept there too (the session stays in its rooms and its user's topic while
 * away), and arrives in order on resume. A resume on another instance answers `not_found`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, createTestBackend, type TestClient } from "@agentsocket/core/testing";
import { createRedisBroker } from "@agentsocket/redis";
import { startRedis, type RedisProcess } from "@agentsocket/redis/testing";
import { clusterWebSocketConfig, eventually, join } from "./cluster-harness.ts";
import { createServer, type AgentServer, type Framework } from "./index.ts";

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

const servers: AgentServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const secret = "a shared secret of at least 32 bytes";

async function node(framework: Framework, prefix: string) {
  const broker = createRedisBroker({ url: redis.url, prefix });
  const server = await createServer(createTestBackend(), {
    framework,
    config: {
      port: 0,
      host: "127.0.0.1",
      // One secret for the cluster: every instance can check a token, only one holds the session.
      websocket: { ...clusterWebSocketConfig(), broker, sessions: { secret }, pingInterval: 0 },
    },
  });
  servers.push(server);
  await server.start();
  const open = async (user: string) => {
    const client = await connect(WebSocket, `ws://127.0.0.1:${server.port}/ws?token=${user}`);
    clients.push(client);
    return { client, connected: await client.ofType("connected") };
  };
  return { server, manager: server.websocket, open };
}

describe("sessions across instances", () => {
  it("keeps what other instances send to a parked session, and resumes only where it lives", async () => {
    const [a, b] = await Promise.all([node("hono", "s1"), node("express", "s1")]);
    const first = await a.open("alice");
    const id = first.connected.connectionId as string;
    await join(first.client, "lobby");
    first.client.socket.terminate();
    await eventually(() => a.manager.getConnection(id) === undefined, "the drop to be seen");

    const received = a.manager.cluster.health().received;
    b.manager.broadcastToRoom("lobby", { type: "note", n: 1 });
    b.manager.sendToConnection(id, { type: "note", n: 2 });
    b.manager.sendToUser("alice", { type: "note", n: 3 });
    await eventually(
      () => a.manager.cluster.health().received >= received + 3,
      "the three sends to reach the instance holding the session",
    );

    const elsewhere = await b.open("alice");
    elsewhere.client.send({
      type: "session_resume",
      requestId: "x",
      payload: { token: first.connected.resumeToken },
    });
    expect(await elsewhere.client.ofType("session", "x")).toMatchObject({
      recovered: false,
      reason: "not_found",
    });

    const second = await a.open("alice");
    second.client.send({
      type: "session_resume",
      requestId: "s",
      payload: { token: first.connected.resumeToken },
    });
    expect(await second.client.ofType("session", "s")).toMatchObject({
      recovered: true,
      rooms: ["lobby"],
    });
    await second.client.frame((f) => f.type === "note" && f.n === 3, "the kept frames");
    const notes = second.client.frames.filter((f) => f.type === "note").map((f) => f.n);
    expect(notes).toEqual([1, 2, 3]);

    // The restored room is live across instances again.
    b.manager.broadcastToRoom("lobby", { type: "note", n: 4 });
    await second.client.frame((f) => f.type === "note" && f.n === 4, "a live cross-instance frame");
  }, 30_000);
});
