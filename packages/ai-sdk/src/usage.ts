import type { LanguageModelUsage } from "ai";
import type { TokenUsage } from "@agentsocket/core";

/** The AI SDK's usage, in NeuroLink's `{ input, output, total }` shape. */
export function toTokenUsage(usage: LanguageModelUsage): TokenUsage {
  return { input: usage.inputTokens, output: usage.outputTokens, total: usage.totalTokens };
}
