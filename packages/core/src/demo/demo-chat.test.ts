/**
 * The demo agent behind the chat path: through `chatBackendFromAgent` it answers `useChat`'s
 * messages with UI message chunks — a tool call as `tool-input-available` then
 * `tool-output-available`, the text as one text part, the history reaching the agent.
 */
import { describe, expect, it } from "vitest";
import {
  chatBackendFromAgent,
  type ChatStreamRequest,
  type UIChunkLike,
  type UIMessageLike,
} from "../agent/index.ts";
import { createDemoAgent } from "./index.ts";

const user = (id: string, text: string): UIMessageLike => ({
  id,
  role: "user",
  parts: [{ type: "text", text }],
});

function request(
  messages: UIMessageLike[],
  signal = new AbortController().signal,
): ChatStreamRequest {
  return {
    chatId: "c1",
    trigger: "submit-message",
    messageId: undefined,
    messages,
    body: {},
    headers: {},
    metadata: undefined,
    responseMessageId: "m1",
    abortSignal: signal,
    reportError: () => {},
  };
}

async function collect(chunks: AsyncIterable<UIChunkLike>): Promise<UIChunkLike[]> {
  const all: UIChunkLike[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe("the demo agent as a chat backend", () => {
  const backend = chatBackendFromAgent(createDemoAgent({ tokensPerSecond: 0 }));

  it("streams a tool call and its result, then the answer as one text part", async () => {
    const chunks = await collect(
      await backend.streamUI(request([user("u1", "calculate (12 + 30) * 2")])),
    );
    const types = chunks.map((c) => c.type);
    expect(types.slice(0, 4)).toEqual([
      "start",
      "start-step",
      "tool-input-available",
      "tool-output-available",
    ]);
    expect(types.slice(4, 6)).toEqual(["text-start", "text-delta"]);
    expect(types.slice(-3)).toEqual(["text-end", "finish-step", "finish"]);
    expect(chunks[0]).toEqual({ type: "start", messageId: "m1" });
    const call = chunks[2]!;
    expect(call).toMatchObject({ toolName: "calculator", input: { expression: "(12 + 30) * 2" } });
    expect(chunks[3]).toEqual({
      type: "tool-output-available",
      toolCallId: call.toolCallId,
      output: { expression: "(12 + 30) * 2", value: 84 },
    });
    const text = chunks
      .filter((c) => c.type === "text-delta")
      .map((c) => c.delta)
      .join("");
    expect(text).toContain("(12 + 30) * 2 = 84");
    // One text part: every delta carries the id its text-start opened.
    const ids = new Set(chunks.filter((c) => c.type.startsWith("text-")).map((c) => c.id));
    expect(ids.size).toBe(1);
    expect(chunks.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
  });

  it("hands the earlier messages to the agent as its conversation history", async () => {
    const history = [
      user("u1", "What is agentsocket?"),
      { id: "a1", role: "assistant", parts: [{ type: "text", text: "A WebSocket runtime." }] },
      user("u2", "And what else?"),
    ] satisfies UIMessageLike[];
    const chunks = await collect(await backend.streamUI(request(history)));
    const text = chunks
      .filter((c) => c.type === "text-delta")
      .map((c) => c.delta)
      .join("");
    expect(text).toContain(
      'This is question 2 of our conversation; the first was "What is agentsocket?"',
    );
  });

  it("refuses a history whose last message is not a user message with text", async () => {
    await expect(
      backend.validateMessages!([user("u1", "hi"), { id: "a", role: "assistant", parts: [] }]),
    ).rejects.toThrow(/last message must be a user message/);
    await expect(backend.validateMessages!([user("u1", "x".repeat(32_001))])).rejects.toThrow(
      /longer than 32000/,
    );
  });

  it("stops when the abort signal fires", async () => {
    const slow = chatBackendFromAgent(createDemoAgent({ tokensPerSecond: 50 }));
    const controller = new AbortController();
    const chunks: UIChunkLike[] = [];
    for await (const chunk of await slow.streamUI(
      request([user("u1", "tell me a story")], controller.signal),
    )) {
      chunks.push(chunk);
      if (chunk.type === "text-delta") controller.abort();
    }
    // The demo stops at the abort; the handler, not the converter, adds the abort chunk.
    expect(chunks.filter((c) => c.type === "text-delta")).toHaveLength(1);
  });
});
