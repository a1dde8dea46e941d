/**
 * Appends to a Redis stream log: the appends of one stream wait for the end of the turn (or
 * `appendBatchMs`) and go out as one script call — fewer round trips and far less client CPU per
 * frame, order kept. Each `write` settles on its own frame's outcome.
 */
import { WebSocketError, frameBytes, type StoredFrame } from "@agentsocket/core";
import { runScript, type CommandSender } from "./lua.ts";
import { APPEND, streamKeys } from "./stream-scripts.ts";

/** Most frames in one append script call. */
const MAX_BATCH = 256;

const APPEND_ERRORS: Record<string, string> = {
  NOT_FOUND: "Stream not found or already ended",
  INVALID_MESSAGE: "Frame offset out of sequence",
  STREAM_TOO_LARGE: "Stream log full",
};

export function createAppender(
  sender: CommandSender,
  prefix: string,
  sharded: () => boolean,
  appendBatchMs: number,
): (streamId: string, frame: StoredFrame, terminal: boolean) => Promise<void> {
  type Waiter = [resolve: () => void, reject: (error: unknown) => void];
  const batches = new Map<string, { args: string[]; waiters: Waiter[] }>();
  const flush = (streamId: string) => {
    const batch = batches.get(streamId);
    if (batch === undefined) return;
    batches.delete(streamId);
    const { meta, log, live } = streamKeys(prefix, streamId);
    const head = [String(Date.now()), live, sharded() ? "spublish" : "publish"];
    runScript(sender, APPEND, [meta, log], head.concat(batch.args)).then(
      (reply) => {
        const [code, appended] = reply as [string, number];
        const error = new WebSocketError(APPEND_ERRORS[code] ?? code, { code });
        batch.waiters.forEach(([resolve, reject], i) => (i < appended ? resolve() : reject(error)));
      },
      (error: unknown) => batch.waiters.forEach(([, reject]) => reject(error)),
    );
  };
  return (streamId, frame, terminal) =>
    new Promise<void>((resolve, reject) => {
      let batch = batches.get(streamId);
      if (batch === undefined) {
        batches.set(streamId, (batch = { args: [], waiters: [] }));
        if (appendBatchMs > 0) setTimeout(flush, appendBatchMs, streamId).unref?.();
        else setImmediate(flush, streamId);
      }
      const { offset, frame: text } = frame;
      batch.args.push(String(offset), text, String(frameBytes(text)), terminal ? "1" : "0");
      batch.waiters.push([resolve, reject]);
      if (terminal || batch.waiters.length >= MAX_BATCH) flush(streamId);
    });
}
