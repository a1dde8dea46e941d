/**
 * Moving a backend's stream into a streaming channel: text becomes chunk frames, tool activity
 * becomes tool frames, and an abort ends the wait even when the backend ignores its signal.
 */
import type { StreamingChannel } from "../streaming/channel.ts";
import type { AgentStreamChunk } from "./backend.ts";

/** Pulls chunks into the channel until the stream ends or `signal` aborts. */
export async function pump(
  iterator: AsyncIterator<AgentStreamChunk>,
  signal: AbortSignal,
  channel: StreamingChannel,
): Promise<void> {
  for (;;) {
    const next = await iterator.next();
    if (signal.aborted || next.done) return;
    const chunk = next.value as Record<string, unknown>;
    if (typeof chunk.content === "string") {
      // NeuroLink emits empty and metadata items; only text becomes chunk frames.
      if (chunk.content === "") continue;
      const wait = channel.send(chunk.content);
      if (wait) await wait;
    } else if (chunk.type === "tool-call") {
      channel.event({
        type: "tool_call",
        toolCallId: chunk.toolCallId,
        toolName: chunk.toolName,
        args: chunk.args,
      });
    } else if (chunk.type === "tool-result") {
      channel.event({
        type: "tool_result",
        toolCallId: chunk.toolCallId,
        toolName: chunk.toolName,
        result: chunk.result,
      });
    }
  }
}

/** What {@link untilAborted} resolves to when the signal won. */
export const ABORTED = Symbol("aborted");

/**
 * Settles with `work`, or with {@link ABORTED} as soon as `signal` aborts: a backend that ignores
 * its abort signal cannot hold the stream open. One race per stream, not per token.
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal,
): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Asks an iterator to stop, whatever its `return()` does (async, sync, throwing or absent). */
export function closeIterator(iterator: AsyncIterator<unknown>): void {
  try {
    Promise.resolve(iterator.return?.()).catch(() => {});
  } catch {
    // A return() that throws has stopped as far as we are concerned.
  }
}

export async function settle<T>(value: T | Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await value;
  } catch {
    return undefined;
  }
}
