/**
 * One chat answer, from `backend.streamUI()` into the stream store: a `start` chunk with a stable
 * `messageId` first, the backend's chunks, then the terminal frame — empty, or holding `abort`
 * (cancelled) or a sanitized `error` (failed). Runs with nobody attached are aborted after
 * `graceMs`.
 */
import { WebSocketError } from "../../errors.ts";
import type { StreamStore } from "../../stream-store/stream-store.ts";
import { unrefTimer } from "../../timers.ts";
import { ABORTED, closeIterator, untilAborted } from "../stream-pump.ts";
import type { ChatBackend, ChatStreamRequest, UIChunkLike } from "./chat-backend.ts";
import { CHAT_ERRORS } from "./chat-protocol.ts";

/** A running answer of this process. */
export interface ChatRun {
  readonly controller: AbortController;
  /** Settles once the answer has ended in the store (`produceAnswer`), once it was started. */
  produced: Promise<void> | undefined;
  /** The store's stream id, once created. */
  streamId: string | undefined;
  ended: boolean;
  /** Requests (sends or resumes) on this process currently receiving it. */
  attached: number;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
}

/** Counts one more receiver of `run` (stopping its grace timer). */
export function attachRun(run: ChatRun): void {
  run.attached++;
  if (run.graceTimer !== undefined) clearTimeout(run.graceTimer);
  run.graceTimer = undefined;
}

/** Counts one receiver less; with none left, the answer is aborted after `graceMs`. */
export function detachRun(run: ChatRun, graceMs: number): void {
  run.attached = Math.max(0, run.attached - 1);
  if (run.attached > 0 || run.ended || run.graceTimer !== undefined) return;
  run.graceTimer = setTimeout(() => run.controller.abort(), graceMs);
  unrefTimer(run.graceTimer);
}

const toError = (value: unknown) => (value instanceof Error ? value : new Error(String(value)));

/**
 * Streams the backend's answer into `store` under `streamId`. Never rejects: failures go to
 * `report` and end the answer with an `error` chunk whose text is safe for the client.
 */
export async function produceAnswer(
  backend: ChatBackend,
  request: ChatStreamRequest,
  store: StreamStore,
  streamId: string,
  report: (error: Error) => void,
): Promise<void> {
  const signal = request.abortSignal;
  let offset = 0;
  let started = false;
  const append = async (chunk: UIChunkLike) => {
    await store.append(streamId, { offset: offset + 1, frame: JSON.stringify(chunk) });
    offset++;
  };
  const start = () => append({ type: "start", messageId: request.responseMessageId });
  // An abort whose reason is a WebSocketError (shutdown) is an error to the client, not a stop.
  const cancelled = (): UIChunkLike =>
    signal.reason instanceof WebSocketError
      ? { type: "error", errorText: signal.reason.message }
      : { type: "abort" };
  let last: UIChunkLike | undefined;
  // The chunk being written when an abort wins the race: the terminal frame must follow it.
  let writing: Promise<void> = Promise.resolve();
  const pump = async (iterator: AsyncIterator<UIChunkLike>) => {
    for (;;) {
      const next = await iterator.next();
      if (next.done || signal.aborted) return;
      const chunk = next.value;
      if (!started) {
        started = true;
        // Chat replaces the partial message on replay only when `start` carries an id; one the
        // backend chose (continuing the last assistant message) is kept.
        if (chunk.type === "start") {
          const withId =
            chunk.messageId === undefined
              ? { ...chunk, messageId: request.responseMessageId }
              : chunk;
          await (writing = append(withId));
          continue;
        }
        await (writing = start());
      }
      await (writing = append(chunk));
    }
  };
  let iterator: AsyncIterator<UIChunkLike> | undefined;
  try {
    const iterable = await untilAborted(Promise.resolve(backend.streamUI(request)), signal);
    if (iterable !== ABORTED) {
      iterator = iterable[Symbol.asyncIterator]();
      // One race per answer, not per chunk: a backend that ignores its signal cannot hold it open.
      const pumped = await untilAborted(pump(iterator), signal);
      if (pumped === ABORTED || signal.aborted) {
        closeIterator(iterator);
        await writing.catch(() => {});
      }
    }
    if (signal.aborted) last = cancelled();
  } catch (error) {
    if (signal.aborted) last = cancelled();
    else {
      // The log refused a chunk, or the backend threw: stop it either way.
      if (iterator) closeIterator(iterator);
      report(toError(error));
      const full = (error as { code?: unknown })?.code === "STREAM_TOO_LARGE";
      last = { type: "error", errorText: full ? CHAT_ERRORS.tooLong : CHAT_ERRORS.failed };
    }
  }
  try {
    if (!started && last) await start();
  } catch (error) {
    report(toError(error));
  }
  // The terminal frame is accepted past the log's bounds: the client always learns the end.
  const terminal = {
    offset: offset + 1,
    frame: last ? JSON.stringify(last) : "",
    terminal: true as const,
  };
  await store.end(streamId, terminal).catch((error: unknown) => report(toError(error)));
}
