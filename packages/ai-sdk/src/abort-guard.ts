import { wrapLanguageModel } from "ai";
import type { LanguageModel, LanguageModelMiddleware } from "ai";

/**
 * Ties a model's streaming call to the request's `abortSignal`. Providers built on `fetch` stop by
 * themselves when the signal fires; one that ignores it would leave `streamText` waiting on a
 * silent connection, or reading an endless stream into memory after the client has gone. Only V3
 * model objects can be wrapped; a model id string or a V2 model is returned unchanged.
 */
export function guardAbort(model: LanguageModel): LanguageModel {
  if (typeof model === "string" || model.specificationVersion !== "v3") return model;
  return wrapLanguageModel({ model, middleware: abortGuard });
}

const abortGuard: LanguageModelMiddleware = {
  specificationVersion: "v3",
  async wrapStream({ doStream, params }) {
    const signal = params.abortSignal;
    if (signal === undefined) return doStream();
    const call = Promise.resolve(doStream());
    try {
      const result = await raceAbort(call, signal);
      return { ...result, stream: stopOnAbort(result.stream, signal) };
    } catch (error) {
      // The call may still answer after the abort: release the stream nobody will read.
      if (signal.aborted) call.then((late) => late.stream.cancel()).catch(() => {});
      throw error;
    }
  },
};

// An AbortError, as `fetch` raises, so the SDK ends the stream as aborted rather than failed.
function abortError(): DOMException {
  return new DOMException("The request was aborted", "AbortError");
}

function raceAbort<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener("abort", onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function stopOnAbort<T>(source: ReadableStream<T>, signal: AbortSignal): ReadableStream<T> {
  const reader = source.getReader();
  let onAbort = () => {};
  let stopped = false;
  const stop = () => {
    stopped = true;
    signal.removeEventListener("abort", onAbort);
  };
  return new ReadableStream<T>({
    start(controller) {
      onAbort = () => {
        stop();
        controller.error(abortError());
        reader.cancel(signal.reason).catch(() => {});
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      let next: ReadableStreamReadResult<T>;
      try {
        next = await reader.read();
      } catch (error) {
        stop();
        throw error;
      }
      if (stopped) return;
      if (next.done) {
        stop();
        controller.close();
      } else {
        controller.enqueue(next.value);
      }
    },
    cancel(reason) {
      stop();
      return reader.cancel(reason);
    },
  });
}
