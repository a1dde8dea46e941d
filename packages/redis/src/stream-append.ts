/**
 * Appends to the Redis stream logs: every append made in one event-loop turn (or within
 * `appendBatchMs`), whatever its stream, goes out in one script call — one command, one reply and
 * one socket write however many streams are running — each stream's frames in order. While a call
 * is unanswered the next batch waits for its reply (a terminal frame or a full batch does not), so
 * a busy Redis gets fewer, larger calls. Each `write` settles on its own frame's outcome.
 */
import { WebSocketError, type StoredFrame } from "@agentsocket/core";
import { runScript, type CommandSender } from "./lua.ts";
import { APPEND, streamKeys } from "./stream-scripts.ts";

/** Most frames in one append script call. */
const MAX_BATCH = 1024;
/** Most streams whose keys are kept between calls. */
const MAX_KEYS = 10_000;

const APPEND_ERRORS: Record<string, string> = {
  NOT_FOUND: "Stream not found or already ended",
  INVALID_MESSAGE: "Frame offset out of sequence",
  STREAM_TOO_LARGE: "Stream log full",
};

type Waiter = [resolve: () => void, reject: (error: unknown) => void];

/** Contiguous frames of one stream (from `first`), the last one terminal or not. */
interface Run {
  streamId: string;
  first: number;
  texts: string[];
  waiters: Waiter[];
  terminal: boolean;
}

export function createAppender(
  sender: CommandSender,
  prefix: string,
  sharded: () => boolean,
  appendBatchMs: number,
): (streamId: string, frame: StoredFrame, terminal: boolean) => Promise<void> {
  /** The runs of the batch being gathered, in the order their first frame came. */
  let runs: Run[] = [];
  /** Each stream's run that the next contiguous frame may join. */
  let open = new Map<string, Run>();
  let frames = 0;
  let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  /** The meta and log keys of the running streams, built once per stream (dropped at its end). */
  const streams = new Map<string, [meta: string, log: string]>();
  const keysOf = (streamId: string, ended: boolean): [meta: string, log: string] => {
    let keys = streams.get(streamId);
    if (keys === undefined) {
      const { meta, log } = streamKeys(prefix, streamId);
      keys = [meta, log];
      // Bounded: a stream whose writer gave up without its terminal frame is dropped eventually.
      if (streams.size >= MAX_KEYS) streams.clear();
      if (!ended) streams.set(streamId, keys);
    }
    if (ended) streams.delete(streamId);
    return keys;
  };

  /** Append calls Redis has not answered yet, and whether a batch waits for their replies. */
  let inFlight = 0;
  let due = false;
  const answered = () => {
    inFlight--;
    if (due && inFlight === 0) flush();
  };

  const flush = () => {
    if (timer !== undefined) {
      if (appendBatchMs > 0) clearTimeout(timer as ReturnType<typeof setTimeout>);
      else clearImmediate(timer as ReturnType<typeof setImmediate>);
      timer = undefined;
    }
    due = false;
    if (runs.length === 0) return;
    const batch = runs;
    runs = [];
    open = new Map();
    frames = 0;
    const keys: string[] = [];
    const args = [String(Date.now()), sharded() ? "spublish" : "publish"];
    for (const run of batch) {
      const [meta, log] = keysOf(run.streamId, run.terminal);
      keys.push(meta, log);
      const count = run.texts.length;
      args.push(String(run.terminal ? -count : count), String(run.first));
      for (const text of run.texts) args.push(text);
    }
    inFlight++;
    runScript(sender, APPEND, keys, args).then(
      (reply) => {
        settle(batch, reply as (string | number)[]);
        answered();
      },
      (error: unknown) => {
        for (const run of batch) for (const [, reject] of run.waiters) reject(error);
        answered();
      },
    );
  };
  /** The batch's time is up: it leaves now, or with the reply to the call in flight. */
  const expire = () => {
    timer = undefined;
    if (inFlight > 0) due = true;
    else flush();
  };

  return (streamId, frame, terminal) =>
    new Promise<void>((resolve, reject) => {
      const { offset, frame: text } = frame;
      let run = open.get(streamId);
      if (run === undefined || offset !== run.first + run.texts.length) {
        // A frame out of sequence starts its own run: the script refuses it against the log.
        run = { streamId, first: offset, texts: [], waiters: [], terminal: false };
        runs.push(run);
        open.set(streamId, run);
      }
      run.texts.push(text);
      run.waiters.push([resolve, reject]);
      frames++;
      if (terminal) {
        run.terminal = true;
        open.delete(streamId);
      }
      if (terminal || frames >= MAX_BATCH) flush();
      else if (timer !== undefined || due) return;
      else if (appendBatchMs > 0) (timer = setTimeout(expire, appendBatchMs)).unref?.();
      else timer = setImmediate(expire);
    });
}

/** Settles every waiter: the script names the runs not appended in full, `{run, code, appended}`. */
function settle(batch: Run[], reply: (string | number)[]): void {
  let next = 0;
  for (let i = 0; i + 2 < reply.length; i += 3) {
    const failed = Number(reply[i]) - 1;
    for (; next < failed; next++) for (const [resolve] of batch[next]!.waiters) resolve();
    const { waiters } = batch[next++]!;
    const code = String(reply[i + 1]);
    const appended = Number(reply[i + 2]);
    const error = new WebSocketError(APPEND_ERRORS[code] ?? code, { code });
    waiters.forEach(([resolve, reject], j) => (j < appended ? resolve() : reject(error)));
  }
  for (; next < batch.length; next++) for (const [resolve] of batch[next]!.waiters) resolve();
}
