import { simulateReadableStream, tool } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AgentStreamChunk, AgentStreamResult } from "@agentsocket/core";
import { AgentToolError, fromAISDK } from "./index.ts";

type StreamResult = Awaited<ReturnType<MockLanguageModelV3["doStream"]>>;
type StreamPart = StreamResult["stream"] extends ReadableStream<infer Part> ? Part : never;

function usage(input: number, output: number) {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

const stopped = { unified: "stop", raw: "stop" } as const;
const calledTools = { unified: "tool-calls", raw: "tool_calls" } as const;

function streamOf(parts: StreamPart[]): StreamResult {
  return {
    stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }),
  };
}

function textParts(deltas: string[], tokens = usage(10, deltas.length)): StreamPart[] {
  return [
    { type: "stream-start", warnings: [] },
    { type: "text-start", id: "t1" },
    ...deltas.map((delta): StreamPart => ({ type: "text-delta", id: "t1", delta })),
    { type: "text-end", id: "t1" },
    { type: "finish", finishReason: stopped, usage: tokens },
  ];
}

function weatherCallParts(): StreamPart[] {
  return [
    { type: "stream-start", warnings: [] },
    {
      type: "tool-call",
      toolCallId: "call-1",
      toolName: "weather",
      input: JSON.stringify({ city: "Paris" }),
    },
    { type: "finish", finishReason: calledTools, usage: usage(8, 4) },
  ];
}

const weather = tool({
  description: "Current weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

async function collect(result: AgentStreamResult): Promise<AgentStreamChunk[]> {
  const chunks: AgentStreamChunk[] = [];
  for await (const chunk of result.stream) chunks.push(chunk);
  return chunks;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

function textOf(chunks: AgentStreamChunk[]): string {
  return chunks.map((chunk) => ("content" in chunk ? chunk.content : "")).join("");
}

describe("fromAISDK options", () => {
  it("rejects a missing model and a bad maxSteps with a TypeError naming the option", () => {
    expect(() => fromAISDK({} as never)).toThrow(/"model"/);
    const model = new MockLanguageModelV3();
    expect(() => fromAISDK({ model, maxSteps: 0 })).toThrow(TypeError);
    expect(() => fromAISDK({ model, maxSteps: 1.5 })).toThrow(/"maxSteps"/);
  });
});

describe("generate", () => {
  it("returns the text, the model's identity, usage and finish reason", async () => {
    const model = new MockLanguageModelV3({
      provider: "acme",
      modelId: "acme-1",
      doGenerate: {
        content: [{ type: "text", text: "Hello there" }],
        finishReason: stopped,
        usage: usage(12, 3),
        warnings: [],
      },
    });
    const backend = fromAISDK({ model, system: "Be brief." });

    const result = await backend.generate({
      input: { text: "Hi" },
      temperature: 0.2,
      maxTokens: 50,
    });

    expect(result).toEqual({
      content: "Hello there",
      provider: "acme",
      model: "acme-1",
      usage: { input: 12, output: 3, total: 15 },
      finishReason: "stop",
      toolCalls: [],
    });
    const call = model.doGenerateCalls[0];
    expect(call?.temperature).toBe(0.2);
    expect(call?.maxOutputTokens).toBe(50);
    expect(call?.prompt[0]).toEqual({ role: "system", content: "Be brief." });
  });

  it("prefers the request's systemPrompt and reports tool calls from every step", async () => {
    const model = new MockLanguageModelV3({
      doGenerate: [
        {
          content: [
            {
              type: "tool-call",
              toolCallId: "call-1",
              toolName: "weather",
              input: '{"city":"Paris"}',
            },
          ],
          finishReason: calledTools,
          usage: usage(8, 4),
          warnings: [],
        },
        {
          content: [{ type: "text", text: "It is 21°C in Paris." }],
          finishReason: stopped,
          usage: usage(20, 6),
          warnings: [],
        },
      ],
    });
    const backend = fromAISDK({ model, system: "default", tools: { weather } });

    const result = await backend.generate({ input: { text: "Weather?" }, systemPrompt: "custom" });

    expect(result.content).toBe("It is 21°C in Paris.");
    expect(result.usage).toEqual({ input: 28, output: 10, total: 38 });
    expect(result.toolCalls).toEqual([
      { toolCallId: "call-1", toolName: "weather", args: { city: "Paris" } },
    ]);
    expect(model.doGenerateCalls[0]?.prompt[0]).toEqual({ role: "system", content: "custom" });
  });
});

describe("stream", () => {
  it("yields text deltas that add up to the full text, then usage and finish reason", async () => {
    const model = new MockLanguageModelV3({
      provider: "acme",
      modelId: "acme-1",
      doStream: streamOf(textParts(["Hel", "lo, ", "world"], usage(5, 3))),
    });
    const result = await fromAISDK({ model }).stream({ input: { text: "Hi" } });

    const chunks = await collect(result);

    expect(chunks).toEqual([{ content: "Hel" }, { content: "lo, " }, { content: "world" }]);
    expect(textOf(chunks)).toBe("Hello, world");
    expect(result.provider).toBe("acme");
    expect(result.model).toBe("acme-1");
    expect(await result.usage).toEqual({ input: 5, output: 3, total: 8 });
    expect(await result.finishReason).toBe("stop");
  });

  it("runs a tool round trip: tool-call, tool-result, then the model's second step", async () => {
    const model = new MockLanguageModelV3({
      doStream: [streamOf(weatherCallParts()), streamOf(textParts(["It is ", "21°C."]))],
    });
    const result = await fromAISDK({ model, tools: { weather } }).stream({
      input: { text: "Weather in Paris?" },
    });

    const chunks = await collect(result);

    expect(chunks).toEqual([
      { type: "tool-call", toolCallId: "call-1", toolName: "weather", args: { city: "Paris" } },
      {
        type: "tool-result",
        toolCallId: "call-1",
        toolName: "weather",
        result: { city: "Paris", celsius: 21 },
      },
      { content: "It is " },
      { content: "21°C." },
    ]);
    expect(model.doStreamCalls).toHaveLength(2);
    expect(JSON.stringify(model.doStreamCalls[1]?.prompt)).toContain('"celsius":21');
    expect(await result.finishReason).toBe("stop");
  });

  it("reports a failing tool as a tool-error item and lets the model carry on", async () => {
    const broken = tool({
      description: "Current weather in a city",
      inputSchema: z.object({ city: z.string() }),
      execute: async (): Promise<string> => {
        throw new Error("weather service down");
      },
    });
    const model = new MockLanguageModelV3({
      doStream: [streamOf(weatherCallParts()), streamOf(textParts(["Sorry."]))],
    });
    const result = await fromAISDK({ model, tools: { weather: broken } }).stream({
      input: { text: "Weather?" },
    });

    const chunks = await collect(result);

    expect(chunks.slice(1)).toEqual([
      {
        type: "tool-error",
        toolCallId: "call-1",
        toolName: "weather",
        error: "weather service down",
      },
      { content: "Sorry." },
    ]);
  });

  it("stops after maxSteps model calls", async () => {
    const model = new MockLanguageModelV3({
      doStream: [streamOf(weatherCallParts()), streamOf(textParts(["never sent"]))],
    });
    const result = await fromAISDK({ model, tools: { weather }, maxSteps: 1 }).stream({
      input: { text: "Weather?" },
    });

    const chunks = await collect(result);

    expect(chunks.map((chunk) => chunk.type)).toEqual(["tool-call", "tool-result"]);
    expect(model.doStreamCalls).toHaveLength(1);
    expect(await result.finishReason).toBe("tool-calls");
  });

  it("throws from the iterator when the model's stream reports an error", async () => {
    const model = new MockLanguageModelV3({
      doStream: streamOf([
        { type: "stream-start", warnings: [] },
        { type: "text-start", id: "t1" },
        { type: "text-delta", id: "t1", delta: "partial" },
        { type: "error", error: new Error("upstream overloaded") },
      ]),
    });
    const result = await fromAISDK({ model }).stream({ input: { text: "Hi" } });

    const received: AgentStreamChunk[] = [];
    await expect(async () => {
      for await (const chunk of result.stream) received.push(chunk);
    }).rejects.toThrow("upstream overloaded");
    expect(received).toEqual([{ content: "partial" }]);
    expect(await result.usage).toBeUndefined();
  });

  it("throws an Error carrying the message when the stream reports a plain object", async () => {
    const model = new MockLanguageModelV3({
      doStream: streamOf([
        { type: "stream-start", warnings: [] },
        { type: "error", error: { type: "rate_limit", message: "quota exceeded" } },
      ]),
    });
    const result = await fromAISDK({ model }).stream({ input: { text: "Hi" } });

    await expect(collect(result)).rejects.toThrow(new Error("quota exceeded"));
  });

  it("throws from the iterator when the model call itself fails", async () => {
    const model = new MockLanguageModelV3({
      doStream: async () => {
        throw new Error("invalid API key");
      },
    });
    const result = await fromAISDK({ model }).stream({ input: { text: "Hi" } });

    await expect(collect(result)).rejects.toThrow("invalid API key");
  });
});

describe("stream cancellation", () => {
  // An endless model stream that counts how often it is read and ignores the abort signal, the
  // worst case: only the backend can stop it being read.
  function endlessModel() {
    const reads = { count: 0, cancelled: false };
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: new ReadableStream<StreamPart>({
          start(controller) {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "t1" });
          },
          pull(controller) {
            reads.count += 1;
            // Fails the test instead of filling memory if reading never stops.
            if (reads.count > 1000) throw new Error("the model was read after the abort");
            controller.enqueue({ type: "text-delta", id: "t1", delta: `token${reads.count} ` });
          },
          cancel() {
            reads.cancelled = true;
          },
        }),
      }),
    });
    return { model, reads };
  }

  it("aborting mid-stream ends the iteration and stops reading the model", async () => {
    const { model, reads } = endlessModel();
    const abort = new AbortController();
    const result = await fromAISDK({ model }).stream({
      input: { text: "Count forever" },
      abortSignal: abort.signal,
    });

    const received: AgentStreamChunk[] = [];
    for await (const chunk of result.stream) {
      received.push(chunk);
      if (received.length === 3) abort.abort();
    }
    const readsAtEnd = reads.count;
    await new Promise((resolve) => setImmediate(resolve));

    expect(received.length).toBeGreaterThanOrEqual(3);
    expect(received.length).toBeLessThan(10);
    expect(model.doStreamCalls[0]?.abortSignal?.aborted).toBe(true);
    expect(reads.cancelled).toBe(true);
    expect(reads.count).toBe(readsAtEnd);
    expect(await result.usage).toBeUndefined();
  });

  it("aborting while the model is silent ends the iteration", async () => {
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: new ReadableStream<StreamPart>({
          start(controller) {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "t1" });
            controller.enqueue({ type: "text-delta", id: "t1", delta: "first" });
          },
          pull: () => new Promise<void>(() => {}),
        }),
      }),
    });
    const abort = new AbortController();
    const result = await fromAISDK({ model }).stream({
      input: { text: "Hi" },
      abortSignal: abort.signal,
    });

    const received: AgentStreamChunk[] = [];
    for await (const chunk of result.stream) {
      received.push(chunk);
      abort.abort();
    }

    expect(received).toEqual([{ content: "first" }]);
  });

  it("aborting while the model call has not answered ends the iteration", async () => {
    const modelCalled = deferred();
    let answer: (result: StreamResult) => void = () => {};
    const model = new MockLanguageModelV3({
      doStream: () => {
        modelCalled.resolve();
        return new Promise<StreamResult>((resolve) => (answer = resolve));
      },
    });
    const abort = new AbortController();
    const result = await fromAISDK({ model }).stream({
      input: { text: "Hi" },
      abortSignal: abort.signal,
    });
    const chunks = collect(result);

    await modelCalled.promise;
    abort.abort();

    await expect(chunks).resolves.toEqual([]);
    // When the call answers after all, its stream is released rather than left open.
    const lateStreamCancelled = deferred();
    answer({ stream: new ReadableStream<StreamPart>({ cancel: lateStreamCancelled.resolve }) });
    await lateStreamCancelled.promise;
  });

  it("a provider failing because of the abort ends the iteration instead of throwing", async () => {
    const modelCalled = deferred();
    const model = new MockLanguageModelV3({
      // Like `fetch`, the call rejects with the signal's reason, here not an AbortError.
      doStream: ({ abortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          abortSignal?.addEventListener("abort", () => reject(abortSignal.reason));
          modelCalled.resolve();
        }),
    });
    const abort = new AbortController();
    const result = await fromAISDK({ model }).stream({
      input: { text: "Hi" },
      abortSignal: abort.signal,
    });
    const chunks = collect(result);

    await modelCalled.promise;
    abort.abort(new Error("client cancelled"));

    await expect(chunks).resolves.toEqual([]);
  });
});

describe("tools", () => {
  const failing = tool({
    description: "Always fails",
    inputSchema: z.object({}),
    execute: async (): Promise<string> => {
      throw new Error("database unreachable");
    },
  });
  const backend = fromAISDK({ model: new MockLanguageModelV3(), tools: { weather, failing } });

  it("executeTool runs the tool with the given args", async () => {
    await expect(backend.executeTool!("weather", { city: "Oslo" })).resolves.toEqual({
      city: "Oslo",
      celsius: 21,
    });
  });

  it("executeTool rejects an unknown tool with TOOL_NOT_FOUND", async () => {
    for (const name of ["nope", "constructor", "__proto__"]) {
      const error: unknown = await backend.executeTool!(name, {}).catch((caught) => caught);
      expect(error).toBeInstanceOf(AgentToolError);
      expect(error).toMatchObject({ code: "TOOL_NOT_FOUND", toolName: name });
    }
  });

  it("executeTool reports a throwing tool as TOOL_FAILED with the tool's message", async () => {
    const error: unknown = await backend.executeTool!("failing", {}).catch((caught) => caught);
    expect(error).toBeInstanceOf(AgentToolError);
    expect(error).toMatchObject({ code: "TOOL_FAILED", message: "database unreachable" });
    expect((error as AgentToolError).cause).toBeInstanceOf(Error);
  });

  it("executeTool rejects args that do not match the input schema with VALIDATION_FAILED", async () => {
    const error: unknown = await backend.executeTool!("weather", { city: 42 }).catch((e) => e);
    expect(error).toMatchObject({
      code: "VALIDATION_FAILED",
      toolName: "weather",
      message:
        'Invalid input for tool "weather": city: Invalid input: expected string, received number',
    });
  });

  it("executeTool resolves a streaming tool to its last output", async () => {
    const progress = tool({
      description: "Reports progress",
      inputSchema: z.object({ steps: z.number() }),
      async *execute({ steps }) {
        for (let step = 1; step <= steps; step += 1) yield { done: step };
      },
    });
    const streaming = fromAISDK({ model: new MockLanguageModelV3(), tools: { progress } });

    await expect(streaming.executeTool!("progress", { steps: 3 })).resolves.toEqual({ done: 3 });
  });

  it("getAllAvailableTools lists every tool's name and description", async () => {
    await expect(backend.getAllAvailableTools!()).resolves.toEqual([
      { name: "weather", description: "Current weather in a city" },
      { name: "failing", description: "Always fails" },
    ]);
  });
});
