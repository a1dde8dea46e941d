/**
 * The owner's side of one resumable stream: the {@link FrameWriter} the streaming channel writes
 * into. It numbers every frame (`offset` from 1) and stamps `streamId` (and, on `stream_start`,
 * `epoch`) into its text, appends it to the log, and writes it to the connection that started the
 * stream while that one is still there. Without that connection the producer runs on into the log
 * — no backpressure, bounded by `maxFrames`/`maxBytes` — until somebody reads again or the grace
 * period runs out (then upstream is aborted).
 */
import { WebSocketError } from "../../errors.ts";
import type { FrameWriter } from "../../streaming/frame-writer.ts";
import { frameBytes, type StreamMeta } from "../../stream-store/stream-store.ts";
import { unrefTimer } from "../../timers.ts";
import { OPEN, type SocketLike } from "../../types.ts";
import type { ResolvedResumeOptions } from "./resume-options.ts";

/** One stream this instance runs. */
export interface OwnedStream extends FrameWriter {
  readonly meta: StreamMeta;
  /** The connection that started it is gone: run on for `graceMs` unless read. */
  detach(): void;
  /** Stops it upstream now (`cancel`), or with `reason` (shutdown). */
  abort(reason?: WebSocketError): void;
  /** Offset of the newest frame written. */
  readonly lastOffset: number;
  readonly ended: boolean;
}

const TERMINAL = new Set(["stream_complete", "error"]);

/**
 * Wraps a created stream. `onEnd` runs once, after the terminal frame.
 * @param report hears a log that failed (the stream goes on for the attached client, unresumable).
 */
export function createOwnedStream(
  settings: ResolvedResumeOptions,
  meta: StreamMeta,
  socket: SocketLike,
  controller: AbortController,
  onEnd: () => void,
  report: (error: unknown) => void,
): OwnedStream {
  const { store, graceMs } = settings;
  const { streamId } = meta;
  const { maxFrames, maxBytes } = meta.retention;
  // Built once: stamping a frame is then one slice and one concatenation.
  const idField = `,"streamId":${JSON.stringify(streamId)},"offset":`;
  const epochField = `,"epoch":${JSON.stringify(meta.epoch)}`;
  let attached: SocketLike | undefined = socket;
  let lastOffset = 0;
  let bytes = 0;
  let ended = false;
  let full = false;
  let logFailed = false;
  let idleSince = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const logFailure = (error: unknown) => {
    if (logFailed) return;
    logFailed = true;
    report(error);
  };

  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void expire(), ms);
    unrefTimer(timer);
  };

  /** The grace period ran out: abort unless a reader touched the stream meanwhile. */
  const expire = async () => {
    if (ended || attached) return;
    let seen = idleSince;
    try {
      seen = Math.max(seen, (await store.meta(streamId))?.readerSeenAt ?? 0);
    } catch (error) {
      report(error);
    }
    if (ended || attached) return;
    const left = seen + graceMs - Date.now();
    if (left > 0) arm(left);
    else controller.abort();
  };

  const stream: OwnedStream = {
    meta,
    get lastOffset() {
      return lastOffset;
    },
    get ended() {
      return ended;
    },
    get open() {
      return !ended;
    },
    get bufferedAmount() {
      // Detached, the log is the buffer: the producer runs at model speed up to the bounds.
      return attached && attached.readyState === OPEN ? attached.bufferedAmount : 0;
    },
    write(json, type) {
      if (ended) return;
      const terminal = TERMINAL.has(type);
      if (full && !terminal) return;
      const offset = lastOffset + 1;
      const text = `${json.slice(0, -1)}${type === "stream_start" ? epochField : ""}${idField}${offset}}`;
      const size = frameBytes(text);
      if (!terminal && (offset > maxFrames || bytes + size > maxBytes)) {
        // Never drop text silently: stop the model; the stream ends with this error instead.
        full = true;
        const message = `The stream outgrew its log (${maxFrames} frames, ${maxBytes} bytes)`;
        controller.abort(new WebSocketError(message, { code: "STREAM_TOO_LARGE" }));
        return;
      }
      lastOffset = offset;
      bytes += size;
      if (!logFailed) {
        const frame = { offset, frame: text };
        (terminal ? store.end(streamId, frame) : store.append(streamId, frame)).catch(logFailure);
      }
      if (attached?.readyState === OPEN) attached.send(text);
      if (terminal) {
        ended = true;
        clearTimeout(timer);
        onEnd();
      }
    },
    close(code, reason) {
      attached?.close(code, reason);
    },
    detach() {
      if (ended || attached === undefined) return;
      attached = undefined;
      idleSince = Date.now();
      // A log that failed cannot be resumed from: nobody will come back for this stream.
      if (logFailed) controller.abort();
      else arm(graceMs);
    },
    abort(reason) {
      if (!ended) controller.abort(reason);
    },
  };
  return stream;
}
