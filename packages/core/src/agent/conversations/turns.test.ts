import { describe, expect, it } from "vitest";
import type { FrameWriter } from "../../streaming/frame-writer.ts";
import { createTestBackend, TEST_TEXT } from "../../testing/test-backend.ts";
import { createAgentService } from "../service.ts";
import { createMemoryConversationStore } from "./memory-store.ts";
import type { ConversationStore } from "./store.ts";

/** A frame sink that keeps what it is sent, as an SSE response would. */
function collector() {
  const frames: Record<string, unknown>[] = [];
  const writer: FrameWriter = {
    write: (json) => void frames.push(JSON.parse(json)),
    bufferedAmount: 0,
    open: true,
    close: () => {},
  };
  return { frames, writer };
}

const stream = async (
  agent: ReturnType<typeof createAgentService>,
  payload: object,
  userId?: string,
) => {
  const { frames, writer } = collector();
  const request = { requestId: "r", controller: new AbortController() };
  await agent.stream({ prompt: "hi", ...payload }, userId ? { userId } : {}, writer, request);
  return frames;
};

describe("agent.conversations", () => {
  it.each([
    [{ store: {} }, '"conversations.store"'],
    [{ store: createMemoryConversationStore(), maxHistory: -1 }, '"conversations.maxHistory"'],
    [{ store: createMemoryConversationStore(), ttlMs: 0 }, '"conversations.ttlMs"'],
  ])("rejects %j with a TypeError naming the option", (conversations, name) => {
    expect(() => createAgentService(createTestBackend(), { conversations } as never)).toThrow(name);
  });

  it("true keeps conversations in memory, for one anonymous user without auth", async () => {
    const backend = createTestBackend();
    const agent = createAgentService(backend, { conversations: true });
    const signal = new AbortController().signal;
    const first = await agent.generate({ prompt: "one" }, {}, signal);
    await agent.generate(
      { prompt: "two", conversationId: first.conversationId as string },
      {},
      signal,
    );
    expect(backend.state.requests[1]!.conversationMessages?.map((m) => m.content)).toEqual([
      "one",
      "echo: one",
    ]);
    const { store } = agent.options.conversations!;
    expect((await store.list("anonymous")).conversations).toHaveLength(1);
  });

  it("leaves conversations off by default: no ids, no history", async () => {
    const backend = createTestBackend();
    const frames = await stream(createAgentService(backend), { conversationId: "ignored" });
    expect(frames[0]).toEqual({ type: "stream_start", requestId: "r" });
    expect(backend.state.requests[0]!.conversationMessages).toBeUndefined();
  });

  it("answers INTERNAL_ERROR without calling the model when the store fails, and reports it", async () => {
    const backend = createTestBackend();
    const broken = {
      ...createMemoryConversationStore(),
      create: () => Promise.reject(new Error("disk full")),
    };
    const heard: string[] = [];
    const agent = createAgentService(backend, {
      conversations: { store: broken as ConversationStore },
      onError: (error) => heard.push(error.message),
    });
    expect(await stream(agent, {}, "u")).toEqual([
      { type: "error", requestId: "r", code: "INTERNAL_ERROR", error: "Internal error" },
    ]);
    expect(backend.state.requests).toHaveLength(0);
    expect(heard).toEqual(["disk full"]);
  });

  it("still ends the stream when storing the answer fails, and reports it", async () => {
    const memory = createMemoryConversationStore();
    const heard: string[] = [];
    const store: ConversationStore = {
      ...memory,
      append: (id, user, message, options) =>
        message.role === "assistant"
          ? Promise.reject(new Error("gone"))
          : memory.append(id, user, message, options),
    };
    const agent = createAgentService(createTestBackend(), {
      conversations: { store },
      onError: (error) => heard.push(error.message),
    });
    const frames = await stream(agent, {}, "u");
    expect(frames.at(-1)).toMatchObject({
      type: "stream_complete",
      status: "completed",
      conversationId: expect.any(String),
    });
    expect(
      frames
        .filter((f) => f.type === "chunk")
        .map((f) => f.content)
        .join(""),
    ).toBe(TEST_TEXT);
    expect(heard).toEqual(["gone"]);
  });

  it("stores a failed stream's partial answer marked error, under the announced id", async () => {
    const agent = createAgentService(createTestBackend(), {
      conversations: true,
      onError: () => {},
    });
    const frames = await stream(agent, { prompt: "fail-mid" }, "u");
    const { conversationId, messageId } = frames[0] as {
      conversationId: string;
      messageId: string;
    };
    expect(frames.at(-1)).toMatchObject({ type: "error", code: "PROVIDER_ERROR" });
    const messages = await agent.options.conversations!.store.messages(conversationId, "u");
    expect(messages?.[1]).toMatchObject({
      id: messageId,
      role: "assistant",
      content: "The quick brown ",
      metadata: { status: "error", code: "PROVIDER_ERROR" },
    });
  });
});
