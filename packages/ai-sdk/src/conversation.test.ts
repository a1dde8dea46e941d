import { simulateReadableStream } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { fromAISDK } from "./index.ts";

const stopped = { unified: "stop", raw: "stop" } as const;
const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

const history = [
  {
    id: "m1",
    role: "user" as const,
    content: "My name is Ada.",
    timestamp: "2026-01-01T00:00:00.000Z",
  },
  {
    id: "m2",
    role: "assistant" as const,
    content: "Hello Ada.",
    timestamp: "2026-01-01T00:00:01.000Z",
  },
];

describe("fromAISDK in a conversation", () => {
  it("sends the earlier turns as messages before the prompt when streaming", async () => {
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: simulateReadableStream({
          chunks: [
            { type: "text-start", id: "t" },
            { type: "text-delta", id: "t", delta: "Ada" },
            { type: "text-end", id: "t" },
            { type: "finish", finishReason: stopped, usage },
          ],
          initialDelayInMs: null,
          chunkDelayInMs: null,
        }),
      }),
    });
    const result = await fromAISDK({ model }).stream({
      input: { text: "What is my name?" },
      conversationMessages: history,
    });
    for await (const _ of result.stream);
    const prompt = model.doStreamCalls[0]!.prompt;
    expect(prompt.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(JSON.stringify(prompt)).toContain("My name is Ada.");
    expect(JSON.stringify(prompt.at(-1))).toContain("What is my name?");
  });

  it("sends the prompt alone without history", async () => {
    const model = new MockLanguageModelV3({
      doGenerate: async () => ({
        content: [{ type: "text", text: "hi" }],
        finishReason: stopped,
        usage,
        warnings: [],
      }),
    });
    await fromAISDK({ model }).generate({ input: { text: "Hi" }, conversationMessages: [] });
    await fromAISDK({ model }).generate({
      input: { text: "Again" },
      conversationMessages: history,
    });
    expect(model.doGenerateCalls[0]!.prompt.map((m) => m.role)).toEqual(["user"]);
    expect(model.doGenerateCalls[1]!.prompt.map((m) => m.role)).toEqual([
      "user",
      "assistant",
      "user",
    ]);
  });
});
