/**
 * The chat path when things go wrong, on Hono, Express and Fastify: a failing backend ends the
 * answer with a sanitized `error` chunk; invalid frames and messages get the documented errors;
 * an answer whose sender dropped keeps running for `graceMs` (resumable from another socket),
 * then is aborted upstream when nobody came back.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  createTestBackend,
  PROVIDER_SECRET,
  tryConnect,
  type TestBackend,
  type TestClient,
} from "@agentsocket/core/testing";
import { resumeFrame, sendFrame } from "./chat-frames.ts";
import { createServer, type AgentServer, type Framework, type ServerConfig } from "./index.ts";

for (const framework of ["hono", "express", "fastify"] as Framework[]) {
  describe(`chat path failures on ${framework}`, () => {
    let server: AgentServer | undefined;
    let backend: TestBackend;
    const errors: Error[] = [];
    afterEach(async () => {
      await server?.stop();
      server = undefined;
      errors.length = 0;
    });
    async function start(chat: ServerConfig["chat"] = {}) {
      backend = createTestBackend({ tokenDelay: 2 });
      server = await createServer(backend, {
        framework,
        config: {
          port: 0,
          host: "127.0.0.1",
          chat: chat && { onError: (error) => void errors.push(error), ...chat },
        },
      });
      await server.start();
    }
    async function open(): Promise<TestClient> {
      const result = await tryConnect(WebSocket, `ws://127.0.0.1:${server!.port}/chat`);
      if (!result.ok) throw new Error(`refused with ${result.status}`);
      return result.client;
    }

    it("a backend failure ends the answer with a sanitized error chunk, then end", async () => {
      await start();
      const client = await open();
      client.send(sendFrame("r1", "c", "fail-mid"));
      await client.ofType("end", "r1", 10_000);
      const chunks = client.frames.filter((f) => f.type === "chunk").map((f) => f.chunk);
      expect(chunks.at(-1)).toEqual({ type: "error", errorText: "The model provider failed" });
      expect(JSON.stringify(client.frames)).not.toContain(PROVIDER_SECRET);
      expect(errors.map(String).join()).toContain(PROVIDER_SECRET);
      // The chat is free again for the next turn.
      client.send(sendFrame("r2", "c", "hello"));
      await client.ofType("end", "r2", 10_000);
    });

    it("an answer that outgrows its log ends with an error chunk and stops the backend", async () => {
      await start({ retention: { maxFrames: 8 } });
      const client = await open();
      client.send(sendFrame("r1", "c", "forever"));
      await client.ofType("end", "r1", 10_000);
      const chunks = client.frames.filter((f) => f.type === "chunk");
      expect(chunks).toHaveLength(9);
      expect(chunks.at(-1)?.chunk).toEqual({
        type: "error",
        errorText: "The answer outgrew its log",
      });
      const pulled = backend.state.pulled;
      // Nothing pulls the stopped backend any more.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(backend.state.pulled).toBe(pulled);
    });

    it("an abort that overtakes its send (still being checked) stops it before it starts", async () => {
      let release = () => {};
      const gate = new Promise<boolean>((resolve) => (release = () => resolve(true)));
      let asked = () => {};
      const authorizing = new Promise<void>((resolve) => (asked = resolve));
      await start({
        authorizeChat: () => {
          asked();
          return gate;
        },
      });
      const client = await open();
      client.send(sendFrame("r1", "c", "forever"));
      await authorizing;
      client.send({ type: "abort", requestId: "r1" });
      // Frames are handled in order: once this resume is answered, the abort has been seen.
      client.send(resumeFrame("q0", "other"));
      await client.ofType("no-active", "q0");
      release();
      // Had it started, this second turn would be refused as "already active".
      client.send(sendFrame("r2", "c", "hello"));
      await client.ofType("end", "r2", 10_000);
      expect(backend.state.requests.map((r) => r.input.text)).toEqual(["hello"]);
      expect(client.frames.filter((f) => f.requestId === "r1")).toEqual([]);
    });

    it("answers invalid frames with the documented errors; a frame without requestId closes 1008", async () => {
      await start();
      const client = await open();
      client.send({ type: "send", requestId: "r1", id: "c" });
      expect(await client.ofType("error", "r1")).toEqual({
        type: "error",
        requestId: "r1",
        errorText: "Invalid WebSocket chat request frame.",
      });
      const noText = [{ id: "a", role: "assistant", parts: [{ type: "text", text: "hi" }] }];
      client.send(sendFrame("r2", "c", "", noText));
      expect(await client.ofType("error", "r2")).toMatchObject({
        errorText: "Invalid UI messages in WebSocket chat request.",
      });
      expect(backend.state.requests).toEqual([]);
      client.send("not json");
      expect((await client.closed).code).toBe(1008);
    });

    it("an answer whose sender dropped runs on for graceMs and can be resumed elsewhere", async () => {
      await start({ graceMs: 60_000 });
      const sender = await open();
      sender.send(sendFrame("r1", "c", "forever"));
      await sender.frame((f) => f.type === "chunk" && f.sequence === 3, "four chunks");
      sender.socket.terminate();
      await sender.closed;
      const resumer = await open();
      resumer.send(resumeFrame("q1", "c", 3));
      await resumer.frame((f) => f.type === "chunk" && (f.sequence as number) >= 10, "live chunks");
      expect(backend.state.requests[0]!.abortSignal!.aborted).toBe(false);
      resumer.send({ type: "abort", requestId: "q1" });
      await backend.state.nextAbort();
    });

    it("server.stop() during an answer ends it with the shutdown error chunk and end, and reports nothing", async () => {
      await start();
      const client = await open();
      client.send(sendFrame("r1", "c", "forever"));
      await client.frame((f) => f.type === "chunk" && f.sequence === 3, "four chunks");
      await server!.stop();
      server = undefined;
      expect((await client.closed).code).toBe(1001);
      expect(errors.map((error) => error.message)).toEqual([]);
      // The log got its terminal chunk before the store closed; the client read it before 1001.
      const chunks = client.frames.filter((f) => f.type === "chunk");
      expect(chunks.at(-1)?.chunk).toEqual({ type: "error", errorText: "Server shutting down" });
      expect(client.frames.at(-1)).toEqual({ type: "end", requestId: "r1" });
    });

    it("an answer nobody resumed within graceMs is aborted upstream", async () => {
      await start({ graceMs: 50 });
      const sender = await open();
      sender.send(sendFrame("r1", "c", "forever"));
      await sender.frame((f) => f.type === "chunk", "a chunk");
      const aborted = backend.state.nextAbort();
      sender.socket.terminate();
      await aborted;
      // Its log ends with the abort: a late resume replays it to the end.
      const late = await open();
      late.send(resumeFrame("q1", "c"));
      await late.ofType("end", "q1");
      const last = late.frames.filter((f) => f.type === "chunk").at(-1);
      expect(last?.chunk).toEqual({ type: "abort" });
    });
  });
}
