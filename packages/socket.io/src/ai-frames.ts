/**
 * The seed events of one `ai:stream` frame that is not text: `ai:stream:start`,
 * `ai:stream:complete` + `ai:done`, `ai:stream:cancelled` or `ai:stream:error` — for a stream
 * this instance runs (ai-events.ts) and for one moved here from another's log
 * (adopted-ai-stream.ts).
 */
import type { Socket } from "socket.io";
import type { AiDonePayload } from "./events.ts";
import { totalTokensOf, type StreamFrame } from "./event-writer.ts";

/** Emits `frame` of stream `streamId` to `out`; `tokens` text events so far, since `started`. */
export function emitAiFrame(
  out: Socket,
  streamId: string,
  frame: StreamFrame,
  tokens: number,
  started: number,
): void {
  switch (frame.type) {
    case "stream_start":
      out.emit("ai:stream:start", { streamId });
      return;
    case "stream_complete":
      if (frame.status === "cancelled") {
        out.emit("ai:stream:cancelled", { streamId });
        return;
      }
      out.emit("ai:stream:complete", {
        streamId,
        ...(frame.finishReason !== undefined ? { finishReason: frame.finishReason } : {}),
        ...(frame.usage !== undefined ? { usage: frame.usage } : {}),
      });
      out.emit("ai:done", {
        streamId,
        totalTokens: totalTokensOf(frame, tokens),
        duration: Date.now() - started,
      } satisfies AiDonePayload);
      return;
    case "error":
      out.emit("ai:stream:error", {
        streamId,
        error: frame.error ?? "Internal error",
        code: frame.code ?? "INTERNAL_ERROR",
      });
  }
}
