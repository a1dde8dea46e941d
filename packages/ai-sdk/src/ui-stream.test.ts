/**
 * `fromAISDK(...)` as a chat backend on `ai` 6: UI messages validated and converted (history
 * included), the SDK's own UI message chunks out (text, tool input and output across steps), a
 * failure as a sanitized `error` chunk, the abort signal reaching the model.
 */
import { simulateReadableStream, tool } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ChatStreamRequest, UIChunkLike, UIMessageLike } from "@agentsocket/core/agent";
import { fromAISDK } from "./index.ts";

type StreamResult = Awaited<ReturnType<MockLanguageModelV3["doStream"]>>;
type StreamPart = StreamResult["stream"] extends ReadableStream<infer Part> ? Part : never;

const tokens = {
  inputTokens: { total: 5, noCache: 5, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 3, text: 3, reasoning: undefined },
};
const finish = (unified: "stop" | "tool-calls"): StreamPart => ({
  type: "finish",
  finishReason: { unified, raw: unified },
  usage: tokens,
});
const stream = (parts: StreamPart[]): StreamResult => ({
  stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }),
});
const text = (...deltas: string[]): StreamPart[] => [
  { type: "text-start", id: "t" },
  ...deltas.map((delta): StreamPart => ({ type: "text-delta", id: "t", delta })),
  { type: "text-end", id: "t" },
];

const history: UIMessageLike[] = [
  { id: "u1", role: "user", parts: [{ type: "text", text: "Hi" }] },
  { id: "a1", role: "assistant", parts: [{ type: "text", text: "Hello!" }] },
  { id: "u2", role: "user", parts: [{ type: "text", text: "Weather in Paris?" }] },
];

function request(overrides: Partial<ChatStreamRequest> = {}): ChatStreamRequest {
  return {
    chatId: "c1",
    trigger: "submit-message",
    messageId: undefined,
    messages: history,
    body: {},
    headers: {},
    metadata: undefined,
    responseMessageId: "answer-1",
    abortSignal: new AbortController().signal,
    reportError: () => {},
    ...overrides,
  };
}

async function collect(chunks: AsyncIterable<UIChunkLike>): Promise<UIChunkLike[]> {
  const all: UIChunkLike[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

const weather = tool({
  description: "Current weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

describe("fromAISDK streamUI", () => {
  it("streams the SDK's UI chunks across a tool step, with the history sent to the model", async () => {
    const model = new MockLanguageModelV3({
      doStream: [
        stream([
          { type: "stream-start", warnings: [] },
          {
            type: "tool-call",
            toolCallId: "call-1",
            toolName: "weather",
            input: '{"city":"Paris"}',
          },
          finish("tool-calls"),
        ]),
        stream([
          { type: "stream-start", warnings: [] },
          ...text("It is ", "21°C."),
          finish("stop"),
        ]),
      ],
    });
    const backend = fromAISDK({ model, tools: { weather } });
    const chunks = await collect(await backend.streamUI(request()));
    expect(chunks.map((c) => c.type)).toEqual([
      "start",
      "start-step",
      "tool-input-available",
      "tool-output-available",
      "finish-step",
      "start-step",
      "text-start",
      "text-delta",
      "text-delta",
      "text-end",
      "finish-step",
      "finish",
    ]);
    expect(chunks[0]).toEqual({ type: "start", messageId: "answer-1" });
    expect(chunks[2]).toMatchObject({
      toolCallId: "call-1",
      toolName: "weather",
      input: { city: "Paris" },
    });
    expect(chunks[3]).toMatchObject({
      toolCallId: "call-1",
      output: { city: "Paris", celsius: 21 },
    });
    expect(chunks.at(-1)).toMatchObject({ type: "finish", finishReason: "stop" });
    // The whole history reached the model, oldest first.
    const prompt = model.doStreamCalls[0]!.prompt;
    expect(prompt.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  it("validates messages with safeValidateUIMessages and refuses malformed parts", async () => {
    const backend = fromAISDK({ model: new MockLanguageModelV3() });
    await expect(backend.validateMessages(history)).resolves.toEqual(history);
    const bad = [{ id: "u1", role: "user", parts: [{ type: "text" }] }] as UIMessageLike[];
    await expect(backend.validateMessages(bad)).rejects.toThrow();
  });

  it("turns a model failure into a sanitized error chunk and reports the real one", async () => {
    const model = new MockLanguageModelV3({
      doStream: async () => {
        throw new Error("upstream 500 (key sk-secret)");
      },
    });
    const reported: unknown[] = [];
    const chunks = await collect(
      await fromAISDK({ model }).streamUI(request({ reportError: (e) => reported.push(e) })),
    );
    const error = chunks.find((c) => c.type === "error");
    expect(error).toEqual({ type: "error", errorText: "The model provider failed" });
    expect(JSON.stringify(chunks)).not.toContain("sk-secret");
    expect(String(reported[0])).toContain("sk-secret");
  });

  it("hands the request's abort signal to the model", async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const model = new MockLanguageModelV3({
      doStream: async (options) => {
        seen = options.abortSignal;
        return stream([{ type: "stream-start", warnings: [] }, ...text("x"), finish("stop")]);
      },
    });
    await collect(await fromAISDK({ model }).streamUI(request({ abortSignal: controller.signal })));
    controller.abort();
    expect(seen?.aborted).toBe(true);
  });
});
