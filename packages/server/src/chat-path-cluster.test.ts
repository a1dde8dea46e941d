/**
 * The chat path across instances that share one stream store (here one in-memory store for two
 * servers in this process; `@agentsocket/redis`'s store does the same across processes): a
 * resume on the other instance replays then continues live, an abort sent there stops the answer
 * on the instance that runs it, and a second send there is refused while the answer runs.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createMemoryStreamStore, type StreamStore } from "@agentsocket/core";
import {
  createTestBackend,
  tryConnect,
  type TestBackend,
  type TestClient,
} from "@agentsocket/core/testing";
import { resumeFrame, sendFrame } from "./chat-frames.ts";
import { createServer, type AgentServer, type Framework } from "./index.ts";

const auth = {
  strategy: "custom" as const,
  validate: (request: { url: string }) => ({
    id: new URL(request.url, "http://x").searchParams.get("user") ?? "",
  }),
};

for (const framework of ["hono", "express", "fastify"] as Framework[]) {
  describe(`the chat path on two ${framework} instances`, () => {
    const servers: AgentServer[] = [];
    let store: StreamStore;
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => s.stop()));
      await store.close();
    });
    async function instance(backend: TestBackend): Promise<AgentServer> {
      const server = await createServer(backend, {
        framework,
        config: { port: 0, host: "127.0.0.1", websocket: { auth }, chat: { streams: store } },
      });
      await server.start();
      servers.push(server);
      return server;
    }
    async function open(server: AgentServer, user: string): Promise<TestClient> {
      const result = await tryConnect(WebSocket, `ws://127.0.0.1:${server.port}/chat?user=${user}`);
      if (!result.ok) throw new Error(`refused with ${result.status}`);
      return result.client;
    }

    it("resumes on the other instance, refuses a second send there, and aborts across", async () => {
      store = createMemoryStreamStore();
      const backendA = createTestBackend({ tokenDelay: 2 });
      const backendB = createTestBackend({ tokenDelay: 2 });
      const [a, b] = [await instance(backendA), await instance(backendB)];
      const onA = await open(a, "ann");
      onA.send(sendFrame("r1", "c", "forever"));
      await onA.frame((f) => f.type === "chunk" && f.sequence === 4, "five chunks");

      const onB = await open(b, "ann");
      onB.send(resumeFrame("q1", "c", 1));
      await onB.ofType("start", "q1");
      await onB.frame(
        (f) => f.type === "chunk" && (f.sequence as number) >= 10,
        "live chunks on B",
      );
      const seen = onB.frames.filter((f) => f.type === "chunk").map((f) => f.sequence as number);
      expect(seen).toEqual(seen.map((_, i) => i + 2));

      onB.send(sendFrame("r2", "c", "hello"));
      expect(await onB.ofType("error", "r2")).toMatchObject({
        errorText: "A response is already active for this chat.",
      });
      expect(backendB.state.requests).toEqual([]);
      // Another user on B cannot see it.
      const bob = await open(b, "bob");
      bob.send(resumeFrame("q2", "c"));
      await bob.ofType("no-active", "q2");

      const aborted = backendA.state.nextAbort();
      onB.send({ type: "abort", requestId: "q1" });
      await aborted;
      await onA.ofType("end", "r1");
      await onB.ofType("end", "q1");
      expect(onB.frames.filter((f) => f.type === "chunk").at(-1)?.chunk).toEqual({ type: "abort" });
    });
  });
}
