import { describe, expect, it } from "vitest";
import { createTestBackend, TEST_TEXT } from "../testing/test-backend.ts";
import { createEnhancedChatService } from "./chat-service.ts";
import { createMemoryConversationStore } from "./conversations/memory-store.ts";

describe("createEnhancedChatService (seed 000)", () => {
  it("keeps a session's history, sends it with each response and counts tokens", async () => {
    const provider = createTestBackend();
    const store = createMemoryConversationStore();
    const chatService = createEnhancedChatService({
      provider,
      store,
      enableSSE: true,
      enableWebSocket: true,
      streamingConfig: { bufferSize: 8192, compressionEnabled: true, latencyTarget: 100 },
    });
    const sessionId = "user-123-session";
    const chatSession = chatService.createSession(sessionId, {
      maxHistory: 50,
      persistToDisk: true,
      sessionTimeout: 3600000,
    });
    chatSession.addMessage({ role: "user", content: "Hello, AI!", timestamp: new Date() });
    const response = await chatSession.generateResponse({ temperature: 0.7, maxTokens: 500 });
    expect(response.content).toBe("echo: Hello, AI!");
    chatSession.addMessage({ role: "user", content: "Again", timestamp: new Date() });
    await chatSession.generateResponse();

    expect(provider.state.requests[0]).toMatchObject({
      input: { text: "Hello, AI!" },
      temperature: 0.7,
      maxTokens: 500,
    });
    expect(provider.state.requests[1]!.conversationMessages?.map((m) => m.content)).toEqual([
      "Hello, AI!",
      "echo: Hello, AI!",
    ]);
    expect(chatSession.getHistory().map((m) => [m.role, m.content])).toEqual([
      ["user", "Hello, AI!"],
      ["assistant", "echo: Hello, AI!"],
      ["user", "Again"],
      ["assistant", "echo: Again"],
    ]);
    expect(chatSession.getTokenUsage()).toEqual({ input: 2, output: 4, total: 6 });
    // The session is a stored conversation: a new service on the same store sees it.
    const again = createEnhancedChatService({ provider, store }).createSession(sessionId);
    await again.ready;
    expect(again.getHistory()).toHaveLength(4);
    expect((await store.get(sessionId, "anonymous"))?.expiresAt).toEqual(expect.any(String));
  });

  it("streams a chat through onChunk and onComplete, within a session", async () => {
    const chatService = createEnhancedChatService({ provider: createTestBackend() });
    const session = chatService.createSession("s1");
    await session.ready;
    const chunks: string[] = [];
    let completed: { text: string } | undefined;
    const failures: Error[] = [];
    await chatService.streamChat({
      prompt: "Generate a story about AI and humanity",
      sessionId: "s1",
      onChunk: (chunk) => chunks.push(chunk),
      onComplete: (result) => (completed = result),
      onError: (error) => failures.push(error),
    });
    expect(failures).toEqual([]);
    expect(chunks.join("")).toBe(TEST_TEXT);
    expect(completed).toMatchObject({ text: TEST_TEXT, finishReason: "stop", sessionId: "s1" });
    const errors: Error[] = [];
    await chatService.streamChat({ prompt: "fail-before", onError: (error) => errors.push(error) });
    expect(errors).toHaveLength(1);
  });

  it("names a provider that is not NeuroLink-shaped", () => {
    expect(() => createEnhancedChatService({ provider: {} as never })).toThrow(/"provider"/);
  });
});
