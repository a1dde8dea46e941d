import { describe, expect, it } from "vitest";
import { WebSocketError } from "../errors.ts";
import { createTestBackend } from "../testing/test-backend.ts";
import { createAgentService } from "./service.ts";

const identity = { userId: "u1", connectionId: "c1" };

describe("createAgentService", () => {
  it("adds requestDefaults under the client's options; input, context and abortSignal stay agentsocket's", async () => {
    const backend = createTestBackend();
    const agent = createAgentService(backend, {
      requestDefaults: {
        provider: "openai-compatible",
        temperature: 0.1,
        input: { text: "spoofed" },
        context: { userId: "x" },
      },
    });
    const signal = new AbortController().signal;
    await agent.generate({ prompt: "hi", options: { temperature: 0.9 } }, identity, signal);
    expect(backend.state.requests[0]).toEqual({
      provider: "openai-compatible",
      temperature: 0.9,
      input: { text: "hi" },
      context: { userId: "u1", connectionId: "c1" },
      abortSignal: signal,
    });
  });

  it("runs only allowed tools; '*' allows every tool", async () => {
    const backend = createTestBackend();
    const none = createAgentService(backend);
    await expect(none.callTool({ toolName: "echo", args: {} }, identity)).rejects.toMatchObject({
      code: "TOOL_NOT_FOUND",
    });
    expect(backend.state.toolCalls).toEqual([]);
    const all = createAgentService(backend, { allowedTools: "*" });
    expect(await all.callTool({ toolName: "echo", args: { a: 1 } }, identity)).toEqual({
      type: "tool_result",
      toolName: "echo",
      result: { echoed: { a: 1 } },
    });
    await expect(all.callTool({ toolName: "missing" }, identity)).rejects.toBeInstanceOf(
      WebSocketError,
    );
  });

  it.each([
    [{ allowedTools: "calculator" }, '"allowedTools"'],
    [{ requestDefaults: [] }, '"requestDefaults"'],
    [{ maxConcurrentStreams: 0 }, '"maxConcurrentStreams"'],
    [{ maxInFlightRequests: 2.5 }, '"maxInFlightRequests"'],
  ])("rejects %j with a TypeError naming the option", (options, name) => {
    expect(() => createAgentService(createTestBackend(), options as never)).toThrow(name);
  });

  it("rejects a backend that is not NeuroLink-shaped", () => {
    expect(() => createAgentService({} as never)).toThrow(TypeError);
  });
});
