import type { TextStreamPart, ToolSet } from "ai";
import type { AgentStreamChunk, AgentStreamResult, TokenUsage } from "@agentsocket/core";
import { describeError } from "./errors.ts";
import { toTokenUsage } from "./usage.ts";

interface StreamOutcome {
  usage: TokenUsage | undefined;
  finishReason: string | undefined;
}

/**
 * Turns `streamText`'s `fullStream` into an agent stream. An `error` part makes the iterator throw;
 * after an abort the SDK sends an `abort` part instead, which just ends it. `usage` and
 * `finishReason` are promises that settle once the stream has been consumed (to `undefined` if it
 * failed or was cancelled).
 */
export function toAgentStreamResult(
  fullStream: AsyncIterable<TextStreamPart<ToolSet>>,
  identity: { provider?: string; model?: string },
): AgentStreamResult {
  let settle: (outcome: StreamOutcome) => void = () => {};
  const outcome = new Promise<StreamOutcome>((resolve) => (settle = resolve));

  async function* chunks(): AsyncGenerator<AgentStreamChunk> {
    const seen: StreamOutcome = { usage: undefined, finishReason: undefined };
    try {
      for await (const part of fullStream) {
        const chunk = toAgentChunk(part, seen);
        if (chunk !== undefined) yield chunk;
      }
    } finally {
      settle(seen);
    }
  }

  return {
    stream: chunks(),
    ...identity,
    usage: outcome.then((done) => done.usage),
    finishReason: outcome.then((done) => done.finishReason),
  };
}

function toAgentChunk(
  part: TextStreamPart<ToolSet>,
  seen: StreamOutcome,
): AgentStreamChunk | undefined {
  switch (part.type) {
    case "text-delta":
      return part.text === "" ? undefined : { content: part.text };
    case "tool-call":
      return {
        type: "tool-call",
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        args: part.input,
      };
    case "tool-result":
      // A streaming tool's preliminary outputs are progress, not its result.
      if (part.preliminary === true) return undefined;
      return {
        type: "tool-result",
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        result: part.output,
      };
    case "tool-error":
      // The SDK hands a failed tool's error back to the model, which carries on; so do we.
      return {
        type: "tool-error",
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        error: describeError(part.error, `Tool "${part.toolName}" failed`),
      };
    case "finish":
      seen.usage = toTokenUsage(part.totalUsage);
      seen.finishReason = part.finishReason;
      return undefined;
    case "error":
      throw toError(part.error);
    default:
      return undefined;
  }
}

function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(describeError(error, "The model stream failed"), { cause: error });
}
