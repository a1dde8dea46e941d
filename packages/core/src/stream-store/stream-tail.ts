/**
 * `openStreamTail()`: reads a stream log from an offset to its terminal frame, every frame exactly
 * once and in order, while the writer keeps appending — the resume algorithm shared by the agent
 * handler and the AI SDK chat path.
 *
 * It follows the live frames before it reads the log (so nothing appended in between is missed),
 * delivers from the log page by page, then from live frames as they come. A gap in the live frames
 * (a shared store's pub/sub lost one), a congested reader, or a periodic position check sends it
 * back to the log; the log is the truth, live delivery only the fast path.
 */
import { unrefTimer } from "../timers.ts";
import type { StoredFrame, StreamMeta, StreamRead, StreamStore } from "./stream-store.ts";

/** Why a resume was refused (`resumed {recovered: false, reason}`). */
export type ResumeRefusal =
  "not_found" | "expired" | "epoch_changed" | "forbidden" | "too_far_behind" | "invalid_offset";

/** Options of {@link openStreamTail}. */
export interface StreamTailOptions {
  /** The last offset the reader has; 0 reads from the start. */
  afterOffset: number;
  /** The epoch the reader saw, when it has one: a different one refuses with `epoch_changed`. */
  epoch?: string;
  /** Whether the reader may read this stream (compare `meta.userId`); `false` refuses with `forbidden`. */
  authorize?: (meta: StreamMeta) => boolean;
  /** Takes one frame. Called in offset order, each offset once, never after `stop()`. */
  deliver: (frame: StoredFrame) => void;
  /** Whether the reader is backed up; while it is, no frame is delivered. @default () => false */
  congested?: () => boolean;
  /** Frames per log read. @default 500 */
  pageSize?: number;
  /** Milliseconds between position checks while waiting for live frames. @default 5000 */
  positionCheckMs?: number;
}

/**
 * How a tail ended: after the terminal frame, stopped by the reader, the log went away, or the
 * owner died before ending it (stores that know their owners: {@link StreamStore.ownerAlive}).
 */
export type StreamTailEnd = "ended" | "stopped" | "expired" | "interrupted";

/** An accepted resume: `run()` delivers, `stop()` ends it early. */
export interface StreamTail {
  recovered: true;
  /** The offset the reader asked to continue after. */
  fromOffset: number;
  meta: StreamMeta;
  /** Delivers until the terminal frame; resolves how it ended. Call once. */
  run(): Promise<StreamTailEnd>;
  stop(): void;
}

/** A refused resume. */
export interface StreamTailRefusal {
  recovered: false;
  reason: ResumeRefusal;
  /** Set when the stream exists and the reader may see it (a clean `expired` / `epoch_changed`). */
  meta?: StreamMeta;
}

const POLL_MS = 5;

/**
 * Checks a resume against the log and, when it can be served, returns the tail that serves it.
 * @example
 * const tail = await openStreamTail(store, streamId, { afterOffset: 12, deliver: (f) => socket.send(f.frame) });
 * if (tail.recovered) await tail.run();
 */
export async function openStreamTail(
  store: StreamStore,
  streamId: string,
  options: StreamTailOptions,
): Promise<StreamTail | StreamTailRefusal> {
  const { afterOffset, deliver } = options;
  const congested = options.congested ?? (() => false);
  const pageSize = options.pageSize ?? 500;
  const positionCheckMs = options.positionCheckMs ?? 5000;
  if (!Number.isInteger(afterOffset) || afterOffset < 0) {
    return { recovered: false, reason: "invalid_offset" };
  }
  let next = afterOffset + 1;
  let newest = 0;
  let live = false;
  let finished: StreamTailEnd | undefined;
  let wake: (() => void) | undefined;
  const rouse = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const deliverOne = (frame: StoredFrame) => {
    next = frame.offset + 1;
    if (frame.terminal) finished = "ended";
    deliver(frame);
    if (finished) rouse();
  };

  // Follow first: a frame appended while the log is read is then seen by one or the other.
  const unfollow = await store.follow(streamId, (frame) => {
    if (frame.offset > newest) newest = frame.offset;
    if (!live || finished || frame.offset < next) return;
    if (frame.offset === next && !congested()) return deliverOne(frame);
    live = false; // a gap or a backed-up reader: the log serves it
    rouse();
  });
  const refuse = (reason: ResumeRefusal, meta?: StreamMeta): StreamTailRefusal => {
    unfollow();
    return meta ? { recovered: false, reason, meta } : { recovered: false, reason };
  };

  let page: StreamRead | undefined = await store.read(streamId, afterOffset, pageSize);
  if (page === undefined) return refuse("not_found");
  const { meta } = page;
  if (options.authorize && !options.authorize(meta)) return refuse("forbidden");
  if (options.epoch !== undefined && options.epoch !== meta.epoch)
    return refuse("epoch_changed", meta);
  if (afterOffset > meta.lastOffset) {
    return refuse("invalid_offset", meta);
  }
  if (meta.state === "expired") return refuse("expired", meta);
  if (page.frames.length > 0 && page.frames[0]!.offset !== next)
    return refuse("too_far_behind", meta);

  const untilDrained = () =>
    new Promise<void>((resolve) => {
      const poll = () => {
        if (finished || !congested()) return resolve();
        unrefTimer(setTimeout(poll, POLL_MS));
      };
      poll();
    });

  /** Waits for a live frame (or a gap); resolves `true` when the position check woke it. */
  const waitLive = () =>
    new Promise<boolean>((resolve) => {
      live = true;
      let timedOut = false;
      const check = setTimeout(() => {
        timedOut = true;
        rouse();
      }, positionCheckMs);
      unrefTimer(check);
      wake = () => {
        clearTimeout(check);
        live = false;
        resolve(timedOut);
      };
    });
  let checkOwner = false;

  const run = async (): Promise<StreamTailEnd> => {
    try {
      while (!finished) {
        if (congested()) await untilDrained();
        if (finished) break;
        page ??= await store.read(streamId, next - 1, pageSize);
        if (finished) break;
        const { frames } = page ?? { frames: [] };
        if (page === undefined || page.meta.state === "expired") return (finished = "expired");
        if (frames.length > 0 && frames[0]!.offset !== next) return (finished = "expired");
        const { lastOffset, state, ownerNode } = page.meta;
        page = undefined;
        // Nothing new since the last position check: is anybody still writing this stream?
        if (checkOwner && frames.length === 0 && state === "active" && store.ownerAlive) {
          if (!(await store.ownerAlive(ownerNode))) return (finished ??= "interrupted");
        }
        for (const frame of frames) {
          deliverOne(frame);
          if (finished || congested()) break;
        }
        if (finished) break;
        // More in the log than this page, or frames appended while it was read: read again.
        if (next <= lastOffset || next <= newest) continue;
        checkOwner = await waitLive();
      }
      return finished;
    } finally {
      unfollow();
    }
  };

  return {
    recovered: true,
    fromOffset: afterOffset,
    meta,
    run,
    stop() {
      finished ??= "stopped";
      rouse();
    },
  };
}
