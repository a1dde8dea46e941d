/**
 * The chat path across instances on one real redis-server: with a Redis broker, `createServer`
 * keeps chat answers in the broker's stream store, so a `resume` on B replays A's running answer
 * then continues live, a second `send` on B is refused while it runs, another user sees nothing,
 * and an `abort` sent to B stops A's model.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  createTestBackend,
  tryConnect,
  type TestBackend,
  type TestClient,
} from "@agentsocket/core/testing";
import { createRedisBroker } from "@agentsocket/redis";
import { startRedis, type RedisProcess } from "@agentsocket/redis/testing";
import { clusterWebSocketConfig } from "./cluster-harness.ts";
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

const send = (requestId: string, id: string, text: string) => ({
  type: "send",
  requestId,
  id,
  trigger: "submit-message",
  messages: [{ id: "u1", role: "user", parts: [{ type: "text", text }] }],
  headers: {},
  body: {},
});
const resume = (requestId: string, id: string, lastSequence?: number) => ({
  type: "resume",
  requestId,
  id,
  ...(lastSequence === undefined ? {} : { lastSequence }),
  headers: {},
  body: {},
});

let run = 0;
async function instance(framework: Framework, backend: TestBackend, prefix: string) {
  const server = await createServer(backend, {
    framework,
    config: {
      port: 0,
      host: "127.0.0.1",
      websocket: {
        ...clusterWebSocketConfig(),
        broker: createRedisBroker({ url: redis.url, prefix }),
      },
    },
  });
  servers.push(server);
  await server.start();
  return async (user: string) => {
    const result = await tryConnect(WebSocket, `ws://127.0.0.1:${server.port}/chat?token=${user}`);
    if (!result.ok) throw new Error(`refused with ${result.status}`);
    clients.push(result.client);
    return result.client;
  };
}

describe.each(["hono", "express", "fastify"] as Framework[])(
  "the chat path on Redis, %s",
  (framework) => {
    it("resumes A's answer on B, refuses a second send there, hides it from others, aborts across", async () => {
      const prefix = `chat${++run}-${framework}`;
      const backendA = createTestBackend({ tokenDelay: 2 });
      const backendB = createTestBackend({ tokenDelay: 2 });
      const openA = await instance(framework, backendA, prefix);
      const openB = await instance(framework, backendB, prefix);

      const onA = await openA("alice");
      onA.send(send("r1", "c", "forever"));
      await onA.frame((f) => f.type === "chunk" && f.sequence === 4, "five chunks on A", 10_000);

      const onB = await openB("alice");
      onB.send(resume("q1", "c", 1));
      await onB.ofType("start", "q1", 10_000);
      await onB.frame(
        (f) => f.type === "chunk" && (f.sequence as number) >= 12,
        "live chunks on B",
        10_000,
      );
      const seen = onB.frames.filter((f) => f.type === "chunk").map((f) => f.sequence as number);
      expect(seen).toEqual(seen.map((_, i) => i + 2));

      onB.send(send("r2", "c", "hello"));
      expect(await onB.ofType("error", "r2")).toMatchObject({
        errorText: "A response is already active for this chat.",
      });
      expect(backendB.state.requests).toEqual([]);
      const bob = await openB("bob");
      bob.send(resume("q2", "c"));
      await bob.ofType("no-active", "q2", 10_000);

      const aborted = backendA.state.nextAbort();
      onB.send({ type: "abort", requestId: "q1" });
      await aborted;
      await onA.ofType("end", "r1", 10_000);
      await onB.ofType("end", "q1", 10_000);
      expect(onB.frames.filter((f) => f.type === "chunk").at(-1)?.chunk).toEqual({ type: "abort" });
    }, 60_000);
  },
);
