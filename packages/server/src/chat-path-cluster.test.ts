/**
 * The chat path across instances that share one stream store: two servers of each framework in
 * this process on one in-memory store, then on one real redis-server (with a Redis broker,
 * `createServer` keeps chat answers in the broker's stream store). The scenario is chat-across.ts.
 */
import { afterEach, describe, it } from "vitest";
import { WebSocket } from "ws";
import { createMemoryStreamStore, type StreamStore } from "@agentsocket/core";
import { createTestBackend, tryConnect, type TestBackend } from "@agentsocket/core/testing";
import { resumeAndAbortAcross } from "./chat-across.ts";
import { FRAMEWORKS, useCluster } from "./cluster-harness.ts";
import { createServer, type AgentServer } from "./index.ts";

const auth = {
  strategy: "custom" as const,
  validate: (request: { url: string }) => ({
    id: new URL(request.url, "http://x").searchParams.get("user") ?? "",
  }),
};

const harness = useCluster();
let run = 0;

describe.each(FRAMEWORKS)("the chat path on two %s instances", (framework) => {
  const servers: AgentServer[] = [];
  let store: StreamStore | undefined;
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    await store?.close();
  });

  async function instance(backend: TestBackend, shared: StreamStore) {
    const server = await createServer(backend, {
      framework,
      config: { port: 0, host: "127.0.0.1", websocket: { auth }, chat: { streams: shared } },
    });
    await server.start();
    servers.push(server);
    return async (user: string) => {
      const url = `ws://127.0.0.1:${server.port}/chat?user=${user}`;
      const result = await tryConnect(WebSocket, url);
      if (!result.ok) throw new Error(`refused with ${result.status}`);
      return result.client;
    };
  }

  it("sharing an in-memory store: resume, refused second send, abort across", async () => {
    store = createMemoryStreamStore();
    const backendA = createTestBackend({ tokenDelay: 2 });
    const backendB = createTestBackend({ tokenDelay: 2 });
    const [openA, openB] = [await instance(backendA, store), await instance(backendB, store)];
    await resumeAndAbortAcross({ backendA, backendB, openA, openB });
  });

  it("on Redis: resume, refused second send, abort across", async () => {
    const prefix = `chat${++run}-${framework}`;
    const backendA = createTestBackend({ tokenDelay: 2 });
    const backendB = createTestBackend({ tokenDelay: 2 });
    const a = await harness.node(framework, { prefix }, { backend: backendA });
    const b = await harness.node(framework, { prefix }, { backend: backendB });
    const [openA, openB] = [(user: string) => a.chat(user), (user: string) => b.chat(user)];
    await resumeAndAbortAcross({ backendA, backendB, openA, openB });
  }, 60_000);
});
