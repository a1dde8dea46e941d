/**
 * Test support for cluster tests: agent servers on port 0 sharing one Redis, clients that join
 * rooms through `join` frames, and bounded polling (a deadline, never a sleep as synchronisation).
 */
import { WebSocket } from "ws";
import type { WebSocketConfig } from "@agentsocket/core";
import { connect, createTestBackend, type TestClient } from "@agentsocket/core/testing";
import { createRedisBroker, type RedisBrokerOptions } from "@agentsocket/redis";
import { createServer, type AgentServer, type Framework } from "./index.ts";

const USERS: Record<string, { id: string }> = {
  alice: { id: "alice" },
  bob: { id: "bob" },
  carol: { id: "carol" },
  dave: { id: "dave" },
};

/** Bearer tokens are user names; clients may join any room but "secret". */
export const clusterWebSocketConfig = (): WebSocketConfig => ({
  auth: { strategy: "bearer", validate: (token) => USERS[token] ?? null },
  rooms: { authorizeJoin: async (_connection, room) => room !== "secret" },
});

export interface ClusterNode {
  server: AgentServer;
  ws(user: string): Promise<TestClient>;
  ready(): Promise<number>;
}

export async function startNode(
  framework: Framework,
  broker: RedisBrokerOptions,
  track: { servers: AgentServer[]; clients: TestClient[] },
): Promise<ClusterNode> {
  const server = await createServer(createTestBackend(), {
    framework,
    config: {
      port: 0,
      host: "127.0.0.1",
      websocket: { ...clusterWebSocketConfig(), broker: createRedisBroker(broker) },
    },
  });
  track.servers.push(server);
  await server.start();
  const base = `127.0.0.1:${server.port}`;
  return {
    server,
    async ws(user) {
      const client = await connect(WebSocket, `ws://${base}/ws?token=${user}`);
      track.clients.push(client);
      await client.ofType("connected");
      return client;
    },
    ready: async () => (await fetch(`http://${base}/api/ready`)).status,
  };
}

let requests = 0;

/** Joins `room` with a `join` frame and waits for `joined` (subscribed and in presence by then). */
export async function join(client: TestClient, room: string): Promise<void> {
  const requestId = `join-${++requests}`;
  client.send({ type: "join", requestId, payload: { room } });
  const reply = await client.frame((f) => f.requestId === requestId, `the reply to ${requestId}`);
  if (reply.type !== "joined") throw new Error(`join ${room} failed: ${JSON.stringify(reply)}`);
}

/** Calls `check` until it returns true, or throws after `ms`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  ms = 5000,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`Not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Frames of `type` a client received. */
export const framesOf = (client: TestClient, type: string) =>
  client.frames.filter((f) => f.type === type);
