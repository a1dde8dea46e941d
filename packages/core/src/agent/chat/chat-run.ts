/**
 * One chat answer, from `backend.streamUI()` into the chat log: a `start` chunk with a stable
 * `messageId` first, the backend's chunks, then `abort` (cancelled) or a sanitized `error`
 * (failed), then the log's end. Runs with nobody attached are aborted after `graceMs`.
 */
import { WebSocketError } from "../../errors.ts";
import { unrefTimer } from "../../timers.ts";
import { ABORTED, closeIterator, untilAborted } from "../stream-pump.ts";
import type { ChatBackend, ChatStreamRequest, UIChunkLike } from "./chat-backend.ts";
import type { ChatStreamLog } from "./chat-log.ts";
import { CHAT_ERRORS } from "./chat-protocol.ts";

/** A running answer of this process. */
export interface ChatRun {
  readonly key: string;
  readonly controller: AbortController;
  /** Resolves to the log's stream id once created. */
  readonly streamId: Promise<string>;
  ended: boolean;
  /** Requests (sends or resumes) currently receiving it. */
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

/**
 * Streams the backend's answer into `log` under `streamId`. Never rejects: failures go to
 * `report` and become an `error` chunk with a message safe for the client.
 */
export async function produceAnswer(
  backend: ChatBackend,
  request: ChatStreamRequest,
  log: ChatStreamLog,
  streamId: string,
  report: (error: Error) => void,
): Promise<void> {
  const signal = request.abortSignal;
  const append = (chunk: UIChunkLike) => log.append(streamId, JSON.stringify(chunk));
  let started = false;
  const cancelled = async () => {
    const reason = signal.reason;
    if (reason instanceof WebSocketError)
      await append({ type: "error", errorText: reason.message });
    else await append({ type: "abort" });
  };
  try {
    const iterable = await untilAborted(Promise.resolve(backend.streamUI(request)), signal);
    if (iterable === ABORTED) return await finish();
    const iterator = iterable[Symbol.asyncIterator]();
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next === ABORTED || signal.aborted) {
        closeIterator(iterator);
        break;
      }
      if (next.done) break;
      const chunk = next.value;
      if (!started) {
        started = true;
        // Chat replaces the partial message on replay only when `start` carries its id.
        if (chunk.type === "start") {
          await append({ ...chunk, messageId: request.responseMessageId });
          continue;
        }
        await append({ type: "start", messageId: request.responseMessageId });
      }
      await append(chunk);
    }
    await finish();
  } catch (error) {
    try {
      if (signal.aborted) await finish();
      else {
        report(error instanceof Error ? error : new Error(String(error)));
        if (!started) await append({ type: "start", messageId: request.responseMessageId });
        await append({ type: "error", errorText: CHAT_ERRORS.failed });
      }
    } catch (logError) {
      report(logError instanceof Error ? logError : new Error(String(logError)));
    }
  } finally {
    await log.end(streamId).catch((error: unknown) => report(error as Error));
  }

  async function finish() {
    if (!signal.aborted) return;
    if (!started) await append({ type: "start", messageId: request.responseMessageId });
    started = true;
    await cancelled();
  }
}
