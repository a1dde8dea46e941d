/**
 * One streamed answer, from `backend.stream()` to the channel's terminal frame: completed,
 * cancelled (the abort won), the abort's reason when it is a `WebSocketError`, or `PROVIDER_ERROR`. The service wraps it so nothing escapes.
 */
import { WebSocketError } from "../errors.ts";
import type { StreamingChannel } from "../streaming/channel.ts";
import type { AgentBackend, AgentRequestOptions, AgentStreamResult } from "./backend.ts";
import { ABORTED, closeIterator, pump, settle, untilAborted } from "./stream-pump.ts";

/** Streams `request` from `backend` into `channel`; `controller` aborts it. */
export async function runStream(
  backend: AgentBackend,
  request: AgentRequestOptions,
  controller: AbortController,
  channel: StreamingChannel,
  providerFailed: (error: unknown) => void,
): Promise<void> {
  const { signal } = controller;
  // An abort whose reason is a WebSocketError (the server shutting down) ends with that error:
  // the answer is incomplete, and the client did not ask for that.
  const cancelled = () =>
    signal.reason instanceof WebSocketError
      ? channel.error(signal.reason.code, signal.reason.message)
      : channel.complete({ status: "cancelled" });
  const failed = (error: unknown) => {
    providerFailed(error);
    channel.error("PROVIDER_ERROR", "The model provider failed");
  };
  let result: AgentStreamResult | typeof ABORTED;
  try {
    // Raced with the abort: a backend may never resolve after a cancel or a disconnect.
    result = await untilAborted(backend.stream(request), signal);
  } catch (error) {
    return signal.aborted ? cancelled() : failed(error);
  }
  if (result === ABORTED) return cancelled();
  const iterable = result?.stream;
  if (typeof iterable?.[Symbol.asyncIterator] !== "function") {
    return failed(new TypeError("stream() must resolve to { stream: AsyncIterable }"));
  }
  const iterator = iterable[Symbol.asyncIterator]();
  try {
    await pump(iterator, signal, channel);
  } catch (error) {
    if (!signal.aborted && !(error instanceof WebSocketError)) {
      closeIterator(iterator);
      return failed(error);
    }
    // The channel failed (client stalled or gone): stop upstream.
    controller.abort();
  }
  if (signal.aborted) {
    // Upstream may ignore the signal; returning the iterator stops a generator either way.
    closeIterator(iterator);
    return cancelled();
  }
  const totals = await untilAborted(
    Promise.all([settle(result.usage), settle(result.finishReason)]),
    signal,
  );
  if (totals === ABORTED) return cancelled();
  const [usage, finishReason] = totals;
  channel.complete({
    ...(finishReason !== undefined ? { finishReason } : {}),
    ...(usage !== undefined ? { usage } : {}),
  });
}
