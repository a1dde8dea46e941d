/**
 * Test support for cluster tests: `useCluster()` gives a test file its own redis-server and starts
 * agent servers on port 0 that share it (one per framework if asked), tracks every server and
 * client and stops them after each test; clients join rooms through `join` frames; polling is
 * bounded (a deadline, never a sleep as synchronisation).
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import { WebSocket } from "ws";
import type { AgentBackend, WebSocketConfig } from "@agentsocket/core";
import { connect, createTestBackend, tryConnect, type TestClient } from "@agentsocket/core/testing";
import { createRedisBroker, type RedisBrokerOptions } from "@agentsocket/redis";
import { startRedis, type RedisProcess } from "@agentsocket/redis/testing";
import { createServer, type AgentServer, type Framework, type ServerConfig } from "./index.ts";

/** Every framework, in the order the cluster tests start them. */
export const FRAMEWORKS: readonly Framework[] = ["hono", "express", "fastify"];

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

/** The servers and clients a test started; `useCluster()` stops them after each test. */
export interface Tracker {
  servers: AgentServer[];
  clients: TestClient[];
}

/** How {@link startNode} builds one node; everything is optional. */
export interface NodeOptions {
  /** The agent behind the node. @default createTestBackend() */
  backend?: AgentBackend;
  /** Spread over the cluster's auth, rooms and broker. */
  websocket?: Partial<WebSocketConfig>;
  /** The rest of the server's config (e.g. `agent`). */
  config?: Omit<ServerConfig, "port" | "host" | "websocket">;
}

export interface ClusterNode {
  server: AgentServer;
  /** `127.0.0.1:<port>` */
  base: string;
  /** Opens `/ws` as `user` (through `port`, e.g. a proxy's, if given) and waits for `connected`. */
  ws(user: string, port?: number): Promise<TestClient>;
  /** Opens the chat path (`/chat`) as `user`. */
  chat(user: string): Promise<TestClient>;
  /** The status `/api/ready` answers. */
  ready(): Promise<number>;
}

/** Starts one node on `broker` (a new `createRedisBroker`), tracked in `track`. */
export async function startNode(
  framework: Framework,
  broker: RedisBrokerOptions,
  track: Tracker,
  options: NodeOptions = {},
): Promise<ClusterNode> {
  const server = await createServer(options.backend ?? createTestBackend(), {
    framework,
    config: {
      ...options.config,
      port: 0,
      host: "127.0.0.1",
      websocket: {
        ...clusterWebSocketConfig(),
        broker: createRedisBroker(broker),
        ...options.websocket,
      },
    },
  });
  track.servers.push(server);
  await server.start();
  const base = `127.0.0.1:${server.port}`;
  return {
    server,
    base,
    async ws(user, port = server.port!) {
      const client = await connect(WebSocket, `ws://127.0.0.1:${port}/ws?token=${user}`);
      track.clients.push(client);
      await client.ofType("connected");
      return client;
    },
    async chat(user) {
      const result = await tryConnect(WebSocket, `ws://${base}/chat?token=${user}`);
      if (!result.ok) throw new Error(`refused with ${result.status}`);
      track.clients.push(result.client);
      return result.client;
    },
    ready: async () => (await fetch(`http://${base}/api/ready`)).status,
  };
}

/** What {@link useCluster} gives a test file. */
export interface Cluster {
  /** The file's redis-server (started before its first test, stopped after its last). */
  readonly redis: RedisProcess;
  readonly track: Tracker;
  /** Starts one node; the broker is the file's redis-server unless `broker` names another. */
  node(
    framework: Framework,
    broker?: Partial<RedisBrokerOptions>,
    options?: NodeOptions,
  ): Promise<ClusterNode>;
  /** Starts one node per framework of {@link FRAMEWORKS} (in parallel) on one broker. */
  nodes(broker?: Partial<RedisBrokerOptions>, options?: NodeOptions): Promise<ClusterNode[]>;
  /** Starts a redis-server of the test's own (to kill or restart), stopped after the test. */
  ownRedis(): Promise<RedisProcess>;
  /** Runs `cleanup` after the test, once its clients and servers are stopped. */
  defer(cleanup: () => Promise<unknown> | unknown): void;
}

/**
 * Registers the hooks of a cluster test file: its redis-server (unless `redis: false`, for files
 * that start their own), and after each test the tracked clients terminated, the servers stopped,
 * then the deferred cleanups run.
 */
export function useCluster(options: { redis?: boolean } = {}): Cluster {
  let shared: RedisProcess | undefined;
  if (options.redis !== false) {
    beforeAll(async () => {
      shared = await startRedis();
    });
    afterAll(() => shared?.stop());
  }
  const track: Tracker = { servers: [], clients: [] };
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const client of track.clients.splice(0)) client.socket.terminate();
    await Promise.all(track.servers.splice(0).map((server) => server.stop()));
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const onShared = (broker: Partial<RedisBrokerOptions>) =>
    shared === undefined || broker.url !== undefined || broker.client !== undefined
      ? broker
      : { url: shared.url, ...broker };
  const cluster: Cluster = {
    get redis() {
      if (shared === undefined) throw new Error("useCluster(): no redis-server of the file's");
      return shared;
    },
    track,
    node: (framework, broker = {}, nodeOptions) =>
      startNode(framework, onShared(broker), track, nodeOptions),
    nodes: (broker, nodeOptions) =>
      Promise.all(FRAMEWORKS.map((framework) => cluster.node(framework, broker, nodeOptions))),
    async ownRedis() {
      const redis = await startRedis();
      cleanups.push(() => redis.stop());
      return redis;
    },
    defer: (cleanup) => void cleanups.push(cleanup),
  };
  return cluster;
}

let requests = 0;

/** Joins `room` with a `join` frame and waits for `joined` (subscribed and in presence by then). */
export async function join(client: TestClient, room: string): Promise<void> {
  const requestId = `join-${++requests}`;
  client.send({ type: "join", requestId, payload: { room } });
  const reply = await client.frame((f) => f.requestId === requestId, `the reply to ${requestId}`);
  if (reply.type !== "joined") throw new Error(`join ${room} failed: ${JSON.stringify(reply)}`);
}

/** Calls `check` until it returns true, or throws after `ms`; resolves with the ms it took. */
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

/** Polls `/api/ready` until every node answers `status`; resolves with the ms it took. */
export const untilReady = (nodes: ClusterNode[], status: number, ms?: number): Promise<number> =>
  eventually(
    async () => (await Promise.all(nodes.map((node) => node.ready()))).every((s) => s === status),
    `every /api/ready to answer ${status}`,
    ms,
  );

/** Frames of `type` a client received. */
export const framesOf = (client: TestClient, type: string) =>
  client.frames.filter((f) => f.type === type);
