/**
 * The quick start on a real server with a real NeuroLink instance, once per framework. NeuroLink's
 * `openai-compatible` provider talks HTTP to a local OpenAI Responses API stub; a real `ws`
 * client speaks agentsocket's protocol: generate, stream, tool_call, cancel, and the SSE route.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { Framework } from "@agentsocket/server";
import { startApp, type RunningApp } from "./app.ts";
import { startOpenAIStub, type OpenAIStub, type OpenAIStubOptions } from "./openai-stub.ts";

type Frame = Record<string, unknown> & { type: string };

const stubs: OpenAIStub[] = [];
const sockets: WebSocket[] = [];
/** NeuroLink passes its system prompt in `messages`, and the AI SDK warns on every such call. */
const SYSTEM_IN_MESSAGES = /^AI SDK Warning: System messages in the prompt or messages fields/;
let warnings: unknown[][] = [];

beforeEach(() => {
  warnings = [];
  vi.spyOn(console, "warn").mockImplementation((...args) => void warnings.push(args));
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
  vi.restoreAllMocks();
  // That warning is expected; any other is a finding.
  expect(warnings.filter(([message]) => !SYSTEM_IN_MESSAGES.test(String(message)))).toEqual([]);
});

/** Rejects after `ms`: a guard against hanging, not a synchronizer. */
function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts a stub and points NeuroLink at it (its provider reads these on every call). */
async function useStub(options: OpenAIStubOptions = {}) {
  const stub = await startOpenAIStub(options);
  stubs.push(stub);
  process.env.OPENAI_COMPATIBLE_BASE_URL = stub.baseURL;
  process.env.OPENAI_COMPATIBLE_API_KEY = "test-key";
  process.env.OPENAI_COMPATIBLE_MODEL = stub.model;
  return stub;
}

/**
 * Opens `/ws`; `frame()` waits for the first frame of a type and request, and fails at once on
 * an `error` frame for that request instead.
 */
async function open(app: RunningApp) {
  const socket = new WebSocket(`${app.url.replace(/^http/, "ws")}/ws`);
  sockets.push(socket);
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  socket.on("message", (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    for (const wake of waiters.splice(0)) wake();
  });
  await within(new Promise((resolve) => socket.once("open", resolve)), "the handshake");
  const frame = (type: string, requestId?: string) =>
    within(
      (async () => {
        for (;;) {
          const mine = frames.filter((f) => requestId === undefined || f.requestId === requestId);
          const found = mine.find((f) => f.type === type);
          if (found) return found;
          const error = mine.find((f) => f.type === "error");
          if (error) throw new Error(`Expected "${type}", got ${JSON.stringify(error)}`);
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      })(),
      `a "${type}" frame`,
    );
  const send = (message: object) => socket.send(JSON.stringify(message));
  await frame("connected");
  return { frames, frame, send };
}

const textOf = (frames: Frame[], requestId: string) =>
  frames
    .filter((f) => f.type === "chunk" && f.requestId === requestId)
    .map((f) => f.content)
    .join("");

describe.each<Framework>(["hono", "express", "fastify"])(
  "NeuroLink quick start on %s",
  (framework) => {
    // One app (one NeuroLink) per framework: every NeuroLink instance adds process signal
    // listeners that dispose() leaves behind.
    let app: RunningApp;
    beforeAll(async () => {
      app = await startApp({ port: 0, host: "127.0.0.1", framework });
    });
    afterAll(() => app.close());

    it("generate: the provider's text, with NeuroLink's provider, model and usage", async () => {
      const stub = await useStub();
      const client = await open(app);
      client.send({ type: "generate", requestId: "g1", payload: { prompt: "Say hello" } });

      const response = await client.frame("response", "g1");
      expect(response.content).toBe(stub.text);
      expect(response.data).toEqual({
        content: stub.text,
        provider: "openai-compatible",
        model: stub.model,
        usage: {
          input: stub.usage.input_tokens,
          output: stub.usage.output_tokens,
          total: stub.usage.total_tokens,
        },
        finishReason: "stop",
      });
      // One Responses API call, with the prompt, and the tool registered on NeuroLink offered to
      // the model (NeuroLink's built-in file tools are off).
      expect(stub.requests).toHaveLength(1);
      const body = stub.requests[0]!.body;
      expect(body.stream).toBeUndefined();
      expect(body.model).toBe(stub.model);
      expect(JSON.stringify(body.input)).toContain("Say hello");
      const tools = (body.tools as { name: string }[]).map((tool) => tool.name);
      expect(tools).toContain("countWords");
      expect(tools).not.toContain("readFile");
    });

    it("stream: chunks in order that add up to the text, then one stream_complete", async () => {
      const stub = await useStub();
      const client = await open(app);
      client.send({ type: "stream", requestId: "s1", payload: { prompt: "Say hello" } });

      const complete = await client.frame("stream_complete", "s1");
      // NeuroLink's stream result has finishReason "stop" and no usage for this provider.
      expect(complete).toEqual({
        type: "stream_complete",
        requestId: "s1",
        status: "completed",
        finishReason: "stop",
      });
      expect(textOf(client.frames, "s1")).toBe(stub.text);
      const seqs = client.frames.filter((f) => f.type === "chunk").map((f) => f.seq as number);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(client.frames.filter((f) => f.requestId === "s1").at(0)?.type).toBe("stream_start");
      const terminal = client.frames.filter(
        (f) => f.type === "stream_complete" || f.type === "error",
      );
      expect(terminal).toHaveLength(1);
      expect(stub.requests.map((r) => r.stream)).toEqual([true]);
    });

    it("tool_call: runs the tool registered on NeuroLink and answers its result", async () => {
      await useStub();
      const client = await open(app);
      client.send({
        type: "tool_call",
        requestId: "t1",
        payload: { toolName: "countWords", args: { text: "one two  three" } },
      });

      const result = await client.frame("tool_result", "t1");
      expect(result.toolName).toBe("countWords");
      expect(result.result).toMatchObject({ success: true, data: { words: 3 } });
    });

    it("tool_call: an unknown tool, or a NeuroLink built-in, is TOOL_NOT_FOUND", async () => {
      vi.spyOn(console, "error").mockImplementation(() => {}); // NeuroLink logs each miss
      await useStub();
      const client = await open(app);
      client.send({ type: "tool_call", requestId: "t1", payload: { toolName: "nope" } });
      client.send({
        type: "tool_call",
        requestId: "t2",
        payload: { toolName: "readFile", args: { path: "/etc/hostname" } },
      });

      for (const requestId of ["t1", "t2"]) {
        expect(await client.frame("error", requestId)).toMatchObject({ code: "TOOL_NOT_FOUND" });
      }
      expect(client.frames.filter((f) => f.type === "tool_result")).toHaveLength(0);
    });

    it("cancel mid-stream: status cancelled, and the HTTP request to the provider is aborted", async () => {
      const tokens = Array.from({ length: 40 }, (_, i) => ` word${i}`);
      const stub = await useStub({ tokens, tokenDelayMs: 50 });
      const client = await open(app);
      client.send({ type: "stream", requestId: "long", payload: { prompt: "Go on" } });
      await client.frame("chunk", "long");
      client.send({ type: "cancel", payload: { requestId: "long" } });

      expect(await client.frame("stream_complete", "long")).toMatchObject({ status: "cancelled" });
      expect(await within(stub.requests[0]!.outcome, "the provider request to end")).toBe(
        "aborted",
      );
      expect(textOf(client.frames, "long").length).toBeLessThan(stub.text.length);
    });

    it("a client that disconnects mid-stream aborts the HTTP request to the provider", async () => {
      const tokens = Array.from({ length: 40 }, (_, i) => ` word${i}`);
      const stub = await useStub({ tokens, tokenDelayMs: 50 });
      const client = await open(app);
      client.send({ type: "stream", requestId: "gone", payload: { prompt: "Go on" } });
      await client.frame("chunk", "gone");
      sockets.at(-1)!.terminate();

      expect(await within(stub.requests[0]!.outcome, "the provider request to end")).toBe(
        "aborted",
      );
    });

    it("POST /api/agent/stream: the same frames as SSE events", async () => {
      const stub = await useStub();
      const res = await fetch(`${app.url}/api/agent/stream`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "Say hello", requestId: "h1" }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);

      const events = (await res.text())
        .split("\n\n")
        .filter(Boolean)
        .map((block) => {
          const [event, data] = block.split("\n").map((line) => line.replace(/^\w+: /, ""));
          return { event, frame: JSON.parse(data!) as Frame };
        });
      expect(events.every(({ event, frame }) => event === frame.type)).toBe(true);
      expect(events.at(0)?.frame).toEqual({ type: "stream_start", requestId: "h1" });
      expect(events.at(-1)?.frame).toMatchObject({ type: "stream_complete", status: "completed" });
      expect(
        textOf(
          events.map((e) => e.frame),
          "h1",
        ),
      ).toBe(stub.text);
    });
  },
);
