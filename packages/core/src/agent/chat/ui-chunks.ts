/**
 * NeuroLink-shaped agent streams as UI message chunks: `start`, `start-step`, `text-start` /
 * `text-delta` / `text-end`, `tool-input-available` and `tool-output-available` (or
 * `tool-output-error`) for tool activity, `finish-step`, `finish`.
 */
import type { AgentStreamChunk } from "../backend.ts";
import type { UIChunkLike } from "./chat-backend.ts";

const FINISH_REASONS = new Set([
  "stop",
  "length",
  "content-filter",
  "tool-calls",
  "error",
  "other",
]);

/** A backend's finish reason as one the AI SDK accepts (`other` for anything else). */
export function uiFinishReason(reason: unknown): string {
  if (typeof reason !== "string") return "stop";
  const normalized = reason.replace(/_/g, "-");
  return FINISH_REASONS.has(normalized) ? normalized : "other";
}

/** Options of {@link toUIChunks}. */
export interface ToUIChunksOptions {
  /** The `messageId` of the `start` chunk. */
  messageId: string;
  /** Resolves the finish reason once the stream has ended. @default "stop" */
  finishReason?: () => Promise<unknown> | unknown;
}

/**
 * Converts an agent stream (`{content}` text, `tool-call`, `tool-result`, `tool-error` items) to
 * UI message chunks. Text between tool calls becomes one text part per run of text (ids
 * `text-0`, `text-1`, …: they only need to be unique within the message).
 */
export async function* toUIChunks(
  stream: AsyncIterable<AgentStreamChunk>,
  options: ToUIChunksOptions,
): AsyncGenerator<UIChunkLike> {
  yield { type: "start", messageId: options.messageId };
  yield { type: "start-step" };
  let textId: string | undefined;
  let parts = 0;
  const calls: Array<{ toolCallId: string; toolName: string }> = [];
  const closeText = function* (): Generator<UIChunkLike> {
    if (textId !== undefined) yield { type: "text-end", id: textId };
    textId = undefined;
  };
  for await (const item of stream) {
    const chunk = item as Record<string, unknown>;
    if (typeof chunk.content === "string") {
      if (chunk.content === "") continue;
      if (textId === undefined) {
        textId = `text-${parts++}`;
        yield { type: "text-start", id: textId };
      }
      yield { type: "text-delta", id: textId, delta: chunk.content };
    } else if (chunk.type === "tool-call") {
      yield* closeText();
      const toolName = String(chunk.toolName);
      const toolCallId =
        typeof chunk.toolCallId === "string"
          ? chunk.toolCallId
          : `${options.messageId}-call-${calls.length}`;
      calls.push({ toolCallId, toolName });
      yield { type: "tool-input-available", toolCallId, toolName, input: chunk.args ?? {} };
    } else if (chunk.type === "tool-result" || chunk.type === "tool-error") {
      // A result names its call, or else the latest call of the same tool.
      const call =
        calls.find((c) => c.toolCallId === chunk.toolCallId) ??
        calls.findLast((c) => c.toolName === chunk.toolName);
      if (call === undefined) continue;
      yield* closeText();
      yield chunk.type === "tool-result"
        ? {
            type: "tool-output-available",
            toolCallId: call.toolCallId,
            output: chunk.result ?? null,
          }
        : {
            type: "tool-output-error",
            toolCallId: call.toolCallId,
            errorText: String(chunk.error),
          };
    }
  }
  yield* closeText();
  yield { type: "finish-step" };
  yield { type: "finish", finishReason: uiFinishReason(await options.finishReason?.()) };
}
