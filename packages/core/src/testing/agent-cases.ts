/**
 * Conformance: the agent over WebSocket — generate, stream, tool_call, cancel, disconnect,
 * concurrency, validation and provider failures — against a scripted backend.
 */
import { expect, it } from "vitest";
import type { AgentOptions } from "../agent/service.ts";
import { createAgentWebSocketHandler } from "../agent/ws-handler.ts";
import type { WebSocketConfig } from "../types.ts";
import { within, type Frame, type TestClient } from "./client.ts";
import type { Harness } from "./harness.ts";
import {
  createTestBackend,
  PROVIDER_SECRET,
  TEST_TEXT,
  type TestBackendOptions,
} from "./test-backend.ts";

const USERS: Record<string, { id: string }> = { "token-a": { id: "alice" } };

/** Frames of one request, in arrival order. */
const framesOf = (client: TestClient, requestId: string) =>
  client.frames.filter((f) => f.requestId === requestId);
const isTerminal = (f: Frame) => f.type === "stream_complete" || f.type === "error";
const terminalOf = (client: TestClient, requestId: string, ms?: number) =>
  client.frame((f) => f.requestId === requestId && isTerminal(f), `the end of ${requestId}`, ms);

/** Checks a finished stream: start first, strictly increasing seq, one terminal last; returns its text. */
function streamedText(client: TestClient, requestId: string): string {
  const frames = framesOf(client, requestId);
  expect(frames[0]?.type).toBe("stream_start");
  expect(frames.filter(isTerminal)).toHaveLength(1);
  expect(isTerminal(frames.at(-1)!)).toBe(true);
  const chunks = frames.filter((f) => f.type === "chunk");
  const seqs = chunks.map((f) => f.seq as number);
  seqs.forEach((seq, i) => expect(seq).toBe(i + 1));
  for (const chunk of chunks) expect(chunk.content).not.toBe("");
  return chunks.map((f) => f.content).join("");
}

export function agentCases(h: Harness): void {
  async function serveAgent(
    agent: AgentOptions = {},
    backendOptions?: TestBackendOptions,
    config: WebSocketConfig = {},
  ) {
    const backend = createTestBackend(backendOptions);
    const auth = {
      strategy: "bearer" as const,
      required: false,
      validate: (t: string) => USERS[t] ?? null,
    };
    const served = await h.serve(
      { auth, ...config },
      {
        "/ws": createAgentWebSocketHandler(backend, {
          onError: () => {},
          allowedTools: ["echo", "explode", "nope"],
          ...agent,
        }),
      },
    );
    const client = await h.connect(served.wsUrl("/ws", "token=token-a"));
    await client.ofType("connected");
    return { ...served, backend, client };
  }

  it("generate: answers with a response frame; the user id comes from auth, not the payload", async () => {
    const { client, backend } = await serveAgent();
    client.send({
      type: "generate",
      requestId: "g1",
      payload: { prompt: "hello", options: { temperature: 0.2 } },
    });
    expect(await client.ofType("response", "g1")).toEqual({
      type: "response",
      requestId: "g1",
      content: "echo: hello",
      data: {
        content: "echo: hello",
        provider: "test",
        model: "test-1",
        usage: { input: 1, output: 2, total: 3 },
        finishReason: "stop",
      },
    });
    expect(backend.state.requests[0]).toMatchObject({
      input: { text: "hello" },
      temperature: 0.2,
      context: { userId: "alice" },
    });
    client.send({
      type: "generate",
      requestId: "g2",
      payload: { prompt: "x", options: { context: { userId: "mallory" } } },
    });
    expect(await client.ofType("error", "g2")).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(backend.state.requests).toHaveLength(1);
  });

  it("stream: stream_start, chunks with strictly increasing seq that concatenate to the text, one stream_complete", async () => {
    const { client } = await serveAgent();
    client.send({ type: "stream", requestId: "s1", payload: { prompt: "tell me" } });
    expect(await terminalOf(client, "s1")).toEqual({
      type: "stream_complete",
      requestId: "s1",
      status: "completed",
      finishReason: "stop",
      usage: { input: 3, output: 20, total: 23 },
    });
    expect(streamedText(client, "s1")).toBe(TEST_TEXT);
  });

  it("tool_call: tool_result, TOOL_NOT_FOUND for unknown tools, TOOL_FAILED without leaking the cause", async () => {
    const { client, backend } = await serveAgent();
    client.send({
      type: "tool_call",
      requestId: "t1",
      payload: { toolName: "echo", args: { n: 42 } },
    });
    expect(await client.ofType("tool_result", "t1")).toEqual({
      type: "tool_result",
      requestId: "t1",
      toolName: "echo",
      result: { echoed: { n: 42 } },
    });
    client.send({ type: "tool_call", requestId: "t2", payload: { toolName: "nope" } });
    expect(await client.ofType("error", "t2")).toEqual({
      type: "error",
      requestId: "t2",
      code: "TOOL_NOT_FOUND",
      error: 'Tool "nope" not found',
    });
    client.send({ type: "tool_call", requestId: "t3", payload: { toolName: "explode" } });
    const failed = await client.ofType("error", "t3");
    expect(failed).toMatchObject({ code: "TOOL_FAILED" });
    expect(JSON.stringify(failed)).not.toContain(PROVIDER_SECRET);
    // A tool the backend has but allowedTools does not list is never run, and looks absent.
    client.send({ type: "tool_call", requestId: "t4", payload: { toolName: "internal" } });
    expect(await client.ofType("error", "t4")).toMatchObject({
      code: "TOOL_NOT_FOUND",
      error: 'Tool "internal" not found',
    });
    expect(backend.state.toolCalls).toEqual(["echo", "nope", "explode"]);
  });

  it("cancel: the upstream signal fires, production stops, and the stream ends cancelled", async () => {
    const { client, backend } = await serveAgent({}, { tokenDelay: 2 });
    client.send({ type: "stream", requestId: "c1", payload: { prompt: "forever" } });
    await client.ofType("chunk", "c1");
    const aborted = backend.state.nextAbort();
    client.send({ type: "cancel", payload: { requestId: "c1" } });
    expect(await terminalOf(client, "c1")).toEqual({
      type: "stream_complete",
      requestId: "c1",
      status: "cancelled",
    });
    await within(aborted, "the upstream abort");
    const pulledAtCancel = backend.state.pulled;
    // Another full stream takes many token delays; the cancelled one must not produce meanwhile.
    client.send({ type: "stream", requestId: "c2", payload: { prompt: "again" } });
    await terminalOf(client, "c2");
    const secondStreamTokens = TEST_TEXT.match(/\S+\s*/g)!.length;
    expect(backend.state.pulled - secondStreamTokens - pulledAtCancel).toBeLessThanOrEqual(1);
    client.send({ type: "cancel", payload: { requestId: "c2" } }); // finished already: ignored
    client.send({ type: "ping", timestamp: 5 });
    await client.frame((f) => f.type === "pong" && f.timestamp === 5, "the pong");
    expect(client.frames.filter((f) => f.requestId === "c2" && isTerminal(f))).toHaveLength(1);
  });

  it("disconnect mid-stream aborts upstream within 1 s", async () => {
    const { client, backend } = await serveAgent({}, { tokenDelay: 2 });
    client.send({ type: "stream", requestId: "d1", payload: { prompt: "forever" } });
    await client.ofType("chunk", "d1");
    const aborted = backend.state.nextAbort();
    const closedAt = Date.now();
    client.socket.terminate();
    expect(
      (await within(aborted, "the upstream abort after a disconnect", 1000)) - closedAt,
    ).toBeLessThan(1000);
  });

  it("runs two streams on one connection concurrently, multiplexed by requestId", async () => {
    const { client } = await serveAgent({}, { tokenDelay: 1 });
    client.send({ type: "stream", requestId: "m1", payload: { prompt: "one" } });
    client.send({ type: "stream", requestId: "m2", payload: { prompt: "two" } });
    await Promise.all([terminalOf(client, "m1"), terminalOf(client, "m2")]);
    expect(streamedText(client, "m1")).toBe(TEST_TEXT);
    expect(streamedText(client, "m2")).toBe(TEST_TEXT);
    // Interleaved: the second stream started before the first one finished.
    const order = client.frames.map((f) => f.requestId);
    expect(order.indexOf("m2")).toBeLessThan(order.lastIndexOf("m1"));
  });

  it("refuses streams over maxConcurrentStreams with TOO_MANY_STREAMS, and duplicate requestIds", async () => {
    const { client } = await serveAgent({ maxConcurrentStreams: 2 }, { tokenDelay: 2 });
    client.send({ type: "stream", requestId: "o1", payload: { prompt: "forever" } });
    client.send({ type: "stream", requestId: "o2", payload: { prompt: "forever" } });
    await Promise.all([client.ofType("chunk", "o1"), client.ofType("chunk", "o2")]);
    client.send({ type: "stream", requestId: "o3", payload: { prompt: "forever" } });
    expect(await client.ofType("error", "o3")).toMatchObject({ code: "TOO_MANY_STREAMS" });
    client.send({ type: "stream", requestId: "o1", payload: { prompt: "again" } });
    // The refusal names the duplicate without being stamped with it: it is not o1's end.
    expect(
      await client.frame((f) => f.duplicateRequestId === "o1", "the duplicate refusal"),
    ).toEqual({
      type: "error",
      code: "INVALID_MESSAGE",
      error: 'Request "o1" is already running',
      duplicateRequestId: "o1",
    });
    client.send({ type: "cancel", payload: { requestId: "o1" } });
    client.send({ type: "cancel", payload: { requestId: "o2" } });
    const o1 = await client.frame(
      (f) => f.requestId === "o1" && f.type === "stream_complete",
      "o1's end",
    );
    expect(o1).toMatchObject({ status: "cancelled" });
    expect(await terminalOf(client, "o2")).toMatchObject({ status: "cancelled" });
    client.send({ type: "stream", requestId: "o4", payload: { prompt: "now there is room" } });
    expect(await terminalOf(client, "o4")).toMatchObject({ status: "completed" });
  });

  it("answers invalid messages with typed errors and keeps the connection", async () => {
    const { client, backend } = await serveAgent({ maxPromptLength: 20 });
    const cases: [object | string, string][] = [
      [{ type: "stream", requestId: "v1", payload: {} }, "VALIDATION_FAILED"],
      [{ type: "stream", requestId: "v2", payload: { prompt: "   " } }, "VALIDATION_FAILED"],
      [
        { type: "generate", requestId: "v3", payload: { prompt: "x".repeat(21) } },
        "VALIDATION_FAILED",
      ],
      [
        {
          type: "generate",
          requestId: "v4",
          payload: { prompt: "hi", options: { model: "gpt-9" } },
        },
        "VALIDATION_FAILED",
      ],
      [
        {
          type: "generate",
          requestId: "v5",
          payload: { prompt: "hi", options: { temperature: 7 } },
        },
        "VALIDATION_FAILED",
      ],
      [{ type: "tool_call", requestId: "v6", payload: { args: {} } }, "VALIDATION_FAILED"],
      [{ type: "dance", requestId: "v7" }, "UNKNOWN_TYPE"],
    ];
    for (const [message] of cases) client.send(message);
    for (const [message, code] of cases) {
      const requestId = (message as { requestId: string }).requestId;
      expect(await client.ofType("error", requestId)).toMatchObject({
        type: "error",
        requestId,
        code,
      });
    }
    client.send("{oops");
    await client.frame((f) => f.code === "INVALID_JSON", "INVALID_JSON");
    expect(backend.state.requests).toHaveLength(0);
    client.send({ type: "generate", requestId: "ok", payload: { prompt: "still here" } });
    expect(await client.ofType("response", "ok")).toMatchObject({ content: "echo: still here" });
  });

  it("turns provider failures into PROVIDER_ERROR without the provider's message", async () => {
    const { client } = await serveAgent();
    client.send({ type: "generate", requestId: "p1", payload: { prompt: "fail" } });
    client.send({ type: "stream", requestId: "p2", payload: { prompt: "fail-before" } });
    client.send({ type: "stream", requestId: "p3", payload: { prompt: "fail-mid" } });
    expect(await client.ofType("error", "p1")).toMatchObject({ code: "PROVIDER_ERROR" });
    expect(await terminalOf(client, "p2")).toMatchObject({ type: "error", code: "PROVIDER_ERROR" });
    expect(await terminalOf(client, "p3")).toMatchObject({ type: "error", code: "PROVIDER_ERROR" });
    expect(streamedText(client, "p3")).toBe("The quick brown ");
    expect(framesOf(client, "p2").map((f) => f.type)).toEqual(["stream_start", "error"]);
    expect(JSON.stringify(client.frames)).not.toContain(PROVIDER_SECRET);
    client.send({ type: "generate", requestId: "p4", payload: { prompt: "recovered" } });
    expect(await client.ofType("response", "p4")).toMatchObject({ content: "echo: recovered" });
  });
}
