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

/**
 * Settles with `work`, or as soon as `signal` aborts: a backend that ignores its abort signal
 * cannot hold the stream open. One race per stream, not per token.
 */
export function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export async function settle<T>(value: T | Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await value;
  } catch {
    return undefined;
  }
}
