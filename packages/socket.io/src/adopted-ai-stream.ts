/**
 * The seed events of an `ai:stream` that another instance runs, once `ai:reconnect` moved it to
 * a client here: the log's frames become `ai:token` (the `tokenCount` going on from what the
 * client has), then `ai:stream:complete` + `ai:done`, `ai:stream:cancelled` or
 * `ai:stream:error` — what ai-events.ts sends for a stream this instance runs.
 */
import type { Socket } from "socket.io";
import { emitAiFrame } from "./ai-frames.ts";
import type { StreamEvents } from "./event-writer.ts";

/** Events of the stream `streamId`, started at `startedAt`; they go to the client it moves to. */
export function adoptedAiEvents(streamId: string, startedAt: number): StreamEvents {
  let out: Socket | undefined;
  let tokens = 0;
  return {
    text: (data) => void out?.emit("ai:token", { streamId, data, tokenCount: ++tokens }),
    frame: (frame) => {
      if (out !== undefined) emitAiFrame(out, streamId, frame, tokens, startedAt);
    },
    moveTo: (next, texts) => void ([out, tokens] = [next, texts]),
  };
}
