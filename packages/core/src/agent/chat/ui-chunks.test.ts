/**
 * A NeuroLink-shaped stream as UI message chunks: text runs split by tool calls, results matched
 * to their calls (by id, else by tool name), tool errors, finish reasons the AI SDK accepts.
 */
import { describe, expect, it } from "vitest";
import type { AgentStreamChunk } from "../backend.ts";
import { toUIChunks, uiFinishReason } from "./ui-chunks.ts";

async function* items(list: AgentStreamChunk[]): AsyncGenerator<AgentStreamChunk> {
  for (const item of list) yield item;
}

async function convert(list: AgentStreamChunk[], finishReason?: unknown) {
  const out = [];
  for await (const chunk of toUIChunks(items(list), {
    messageId: "m",
    finishReason: () => finishReason,
  }))
    out.push(chunk);
  return out;
}

describe("toUIChunks", () => {
  it("closes the text part around a tool call and matches results without an id by tool name", async () => {
    const chunks = await convert(
      [
        { content: "Let me check. " },
        { content: "" },
        { type: "tool-call", toolName: "weather", args: { city: "Paris" } },
        { type: "tool-result", toolName: "weather", result: { celsius: 21 } },
        { type: "tool-call", toolCallId: "c2", toolName: "clock", args: {} },
        { type: "tool-error", toolCallId: "c2", toolName: "clock", error: "no clock" },
        { content: "It is 21°C." },
        { type: "metadata", anything: true },
      ],
      "tool_calls",
    );
    expect(chunks).toEqual([
      { type: "start", messageId: "m" },
      { type: "start-step" },
      { type: "text-start", id: "text-0" },
      { type: "text-delta", id: "text-0", delta: "Let me check. " },
      { type: "text-end", id: "text-0" },
      {
        type: "tool-input-available",
        toolCallId: "m-call-0",
        toolName: "weather",
        input: { city: "Paris" },
      },
      { type: "tool-output-available", toolCallId: "m-call-0", output: { celsius: 21 } },
      { type: "tool-input-available", toolCallId: "c2", toolName: "clock", input: {} },
      { type: "tool-output-error", toolCallId: "c2", errorText: "no clock" },
      { type: "text-start", id: "text-1" },
      { type: "text-delta", id: "text-1", delta: "It is 21°C." },
      { type: "text-end", id: "text-1" },
      { type: "finish-step" },
      { type: "finish", finishReason: "tool-calls" },
    ]);
  });

  it("drops a result for a call it never saw (the client would reject it)", async () => {
    const chunks = await convert([
      { type: "tool-result", toolCallId: "x", toolName: "t", result: 1 },
    ]);
    expect(chunks.map((c) => c.type)).toEqual(["start", "start-step", "finish-step", "finish"]);
  });

  it("maps finish reasons onto the AI SDK's set", () => {
    expect(uiFinishReason(undefined)).toBe("stop");
    expect(uiFinishReason("length")).toBe("length");
    expect(uiFinishReason("content_filter")).toBe("content-filter");
    expect(uiFinishReason("MAX_TOKENS")).toBe("other");
  });
});
