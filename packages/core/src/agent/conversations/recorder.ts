/**
 * A streaming channel that also writes down the answer: the text and tool activity that pass
 * through it, and the terminal frame, which it holds back until the answer is stored — so a
 * client that has seen `stream_complete` finds the answer in the conversation.
 */
import type { StreamingChannel } from "../../streaming/channel.ts";
import type { TokenUsage } from "../backend.ts";
import type { ConversationToolCall } from "./store.ts";
import type { AnswerStatus, ConversationTurn } from "./turns.ts";

/** A recording channel and the one call that stores the answer and sends the held terminal. */
export interface RecordedStream {
  channel: StreamingChannel;
  /** Stores the answer, then sends the terminal frame (with the conversation's ids). */
  finish(): Promise<void>;
}

type Terminal = { complete: Record<string, unknown> } | { error: [code: string, message: string] };

/** Wraps `channel` to record `turn`'s answer. */
export function recordStream(channel: StreamingChannel, turn: ConversationTurn): RecordedStream {
  let text = "";
  const toolCalls: ConversationToolCall[] = [];
  let terminal: Terminal | undefined;

  const recording: StreamingChannel = {
    requestId: channel.requestId,
    get ended() {
      return terminal !== undefined || channel.ended;
    },
    send(piece) {
      // Only text the channel took counts (it refuses after a failure); it counts what it takes.
      const before = channel.getChunkCount();
      const wait = channel.send(piece);
      if (channel.getChunkCount() > before) text += piece;
      return wait;
    },
    event(frame) {
      if (frame.type === "tool_call") {
        const { toolCallId, toolName, args } = frame as Record<string, unknown>;
        toolCalls.push({
          ...(typeof toolCallId === "string" ? { toolCallId } : {}),
          toolName: String(toolName),
          args,
        });
      } else if (frame.type === "tool_result") {
        const call = toolCalls.findLast((c) => c.toolCallId === frame.toolCallId);
        if (call) call.result = frame.result;
      }
      channel.event(frame);
    },
    complete(extra = {}) {
      terminal ??= { complete: extra };
    },
    error(code, message) {
      terminal ??= { error: [code, message] };
    },
    getChunkCount: () => channel.getChunkCount(),
    getFrameCount: () => channel.getFrameCount(),
  };

  return {
    channel: recording,
    async finish() {
      const ids = { conversationId: turn.conversationId, messageId: turn.messageId };
      const end = terminal ?? { error: ["INTERNAL_ERROR", "Internal error"] };
      const extra = "complete" in end ? end.complete : {};
      const status: AnswerStatus =
        "error" in end ? "error" : extra.status === "cancelled" ? "cancelled" : "completed";
      const metadata: Record<string, unknown> = {};
      if (typeof extra.finishReason === "string") metadata.finishReason = extra.finishReason;
      if ("error" in end) metadata.code = end.error[0];
      await turn.finish({
        content: text,
        status,
        metadata,
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        ...(extra.usage !== undefined ? { usage: extra.usage as TokenUsage } : {}),
      });
      if ("error" in end) channel.error(...end.error);
      else channel.complete({ ...extra, ...ids });
    },
  };
}
