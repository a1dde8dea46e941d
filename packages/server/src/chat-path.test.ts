/**
 * The chat path of `createServer` speaks the AI SDK WebSocket chat protocol, checked with a raw
 * `ws` client on Hono, Express and Fastify: no `connected` frame, one active answer per chat and
 * user, chats private to their user, the `send` size limit, `abort` reaching the backend,
 * `resume` replaying then continuing live.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { tryConnect, type Frame, type TestClient } from "@agentsocket/core/testing";
import { createTestBackend, TEST_TEXT, type TestBackend } from "@agentsocket/core/testing";
import { resumeFrame, sendFrame } from "./chat-frames.ts";
import { createServer, type AgentServer, type Framework, type ServerConfig } from "./index.ts";

const auth = {
  strategy: "custom" as const,
  validate: (request: { url: string }) => {
    const user = new URL(request.url, "http://x").searchParams.get("user");
    return user ? { id: user } : null;
  },
};

/** Chunks of `requestId`, in arrival order. */
const chunksOf = (client: TestClient, requestId: string) =>
  client.frames.filter((f) => f.type === "chunk" && f.requestId === requestId) as Array<
    Frame & { sequence: number; chunk: { type: string; delta?: string } }
  >;

for (const framework of ["hono", "express", "fastify"] as Framework[]) {
  describe(`the chat path on ${framework}`, () => {
    let server: AgentServer | undefined;
    let backend: TestBackend;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    async function start(config: ServerConfig = {}) {
      backend = createTestBackend({ tokenDelay: 2 });
      server = await createServer(backend, {
        framework,
        config: { port: 0, host: "127.0.0.1", websocket: { auth }, ...config },
      });
      await server.start();
    }
    async function open(user: string, path = "/chat") {
      const url = `ws://127.0.0.1:${server!.port}${path}?user=${user}`;
      const result = await tryConnect(WebSocket, url);
      if (!result.ok) throw new Error(`refused with ${result.status}`);
      return result.client;
    }

    it("streams an answer with no connected frame: start … text-delta … finish, then end", async () => {
      await start();
      const client = await open("ann");
      client.send(sendFrame("r1", "chat-1", "hello"));
      await client.ofType("end", "r1", 10_000);
      // The very first frame is the answer's: nothing of agentsocket's own protocol came before.
      expect(client.frames[0]).toMatchObject({ type: "chunk", requestId: "r1", sequence: 0 });
      const chunks = chunksOf(client, "r1");
      expect(chunks.map((c) => c.sequence)).toEqual(chunks.map((_, i) => i));
      const types = chunks.map((c) => c.chunk.type);
      expect(types.slice(0, 3)).toEqual(["start", "start-step", "text-start"]);
      expect(types.slice(-3)).toEqual(["text-end", "finish-step", "finish"]);
      const text = chunks.map((c) => c.chunk.delta ?? "").join("");
      expect(text).toBe(TEST_TEXT);
      expect(chunks[0]!.chunk).toMatchObject({ messageId: expect.any(String) });
      expect(chunks.at(-1)!.chunk).toEqual({ type: "finish", finishReason: "stop" });
      // The history reached the backend: the last user message is the prompt.
      expect(backend.state.requests[0]!.input.text).toBe("hello");
    });

    it("refuses a second send on an active chat id with the documented error", async () => {
      await start();
      const client = await open("ann");
      client.send(sendFrame("r1", "busy", "forever"));
      await client.frame((f) => f.type === "chunk" && f.requestId === "r1", "the first chunk");
      client.send(sendFrame("r2", "busy", "hello"));
      const refusal = await client.ofType("error", "r2");
      expect(refusal).toEqual({
        type: "error",
        requestId: "r2",
        errorText: "A response is already active for this chat.",
      });
      // Another user's chat of the same id is theirs: it starts.
      const other = await open("bob");
      other.send(sendFrame("r3", "busy", "hello"));
      await other.ofType("end", "r3", 10_000);
      client.send({ type: "abort", requestId: "r1" });
      await backend.state.nextAbort();
    });

    it("abort stops the answer upstream, and the log ends with an abort chunk", async () => {
      await start();
      const client = await open("ann");
      client.send(sendFrame("r1", "c", "forever"));
      await client.frame((f) => f.type === "chunk" && f.requestId === "r1", "the first chunk");
      const aborted = backend.state.nextAbort();
      client.send({ type: "abort", requestId: "r1" });
      await aborted;
      expect(backend.state.requests[0]!.abortSignal?.aborted).toBe(true);
      await client.ofType("end", "r1");
      expect(chunksOf(client, "r1").at(-1)!.chunk).toEqual({ type: "abort" });
    });

    it("resume replays after lastSequence then continues live; abort through it reaches upstream", async () => {
      await start();
      const sender = await open("ann");
      sender.send(sendFrame("r1", "c", "forever"));
      await sender.frame((f) => f.type === "chunk" && f.sequence === 5, "six chunks");
      const resumer = await open("ann");
      resumer.send(resumeFrame("q1", "c", 2));
      await resumer.ofType("start", "q1");
      await resumer.frame((f) => f.type === "chunk" && (f.sequence as number) >= 12, "live chunks");
      const seen = chunksOf(resumer, "q1").map((c) => c.sequence);
      expect(seen[0]).toBe(3);
      expect(seen).toEqual(seen.map((_, i) => i + 3));
      // A full replay (lastSequence omitted) starts at the start chunk.
      const full = await open("ann");
      full.send(resumeFrame("q2", "c"));
      await full.frame((f) => f.type === "chunk" && f.requestId === "q2", "a replayed chunk");
      expect(chunksOf(full, "q2")[0]).toMatchObject({ sequence: 0, chunk: { type: "start" } });
      const aborted = backend.state.nextAbort();
      resumer.send({ type: "abort", requestId: "q1" });
      await aborted;
      await sender.ofType("end", "r1");
      expect(chunksOf(sender, "r1").at(-1)!.chunk).toEqual({ type: "abort" });
    });

    it("another user's resume gets no-active; so does a chat with nothing running", async () => {
      await start();
      const ann = await open("ann");
      ann.send(sendFrame("r1", "private", "forever"));
      await ann.frame((f) => f.type === "chunk" && f.requestId === "r1", "the first chunk");
      const bob = await open("bob");
      bob.send(resumeFrame("q1", "private"));
      expect(await bob.ofType("no-active", "q1")).toEqual({ type: "no-active", requestId: "q1" });
      bob.send(resumeFrame("q2", "never-started"));
      await bob.ofType("no-active", "q2");
      expect(bob.frames.filter((f) => f.type === "chunk")).toEqual([]);
      ann.send({ type: "abort", requestId: "r1" });
      await backend.state.nextAbort();
    });

    it("an oversize send gets the documented error and the socket stays open", async () => {
      await start({ chat: { maxRequestBytes: 64 * 1024 } });
      const client = await open("ann");
      client.send(sendFrame("big", "c", "x".repeat(70 * 1024)));
      expect(await client.ofType("error", "big")).toEqual({
        type: "error",
        requestId: "big",
        errorText: "The chat request is larger than 65536 bytes.",
      });
      expect(backend.state.requests).toEqual([]);
      client.send(resumeFrame("q1", "c"));
      await client.ofType("no-active", "q1");
      // Past twice the limit the frame is not read at all: closed with 1009, as on /ws.
      client.send(sendFrame("huge", "c", "x".repeat(130 * 1024)));
      expect((await client.closed).code).toBe(1009);
    });

    it("has /ws's auth and origin check, keeps /ws's frames; chat: false turns the path off", async () => {
      await start({ chat: false });
      const refused = await tryConnect(WebSocket, `ws://127.0.0.1:${server!.port}/chat?user=ann`);
      expect(refused).toMatchObject({ ok: false, status: 404 });
      const ws = await open("ann", "/ws");
      expect((await ws.ofType("connected")).type).toBe("connected");
      await server!.stop();
      await start();
      const anonymous = await tryConnect(WebSocket, `ws://127.0.0.1:${server!.port}/chat`);
      expect(anonymous).toMatchObject({ ok: false, status: 401 });
      await server!.stop();
      await start({ websocket: { auth, allowedOrigins: ["http://app.example"] } });
      const url = `ws://127.0.0.1:${server!.port}/chat?user=ann`;
      const foreign = await tryConnect(WebSocket, url, { origin: "http://evil.example" });
      expect(foreign).toMatchObject({ ok: false, status: 403 });
      const allowed = await tryConnect(WebSocket, url, { origin: "http://app.example" });
      expect(allowed.ok).toBe(true);
    });
  });
}
