/**
 * A backend wrapper that counts what reached the model: calls started, calls whose abort signal
 * fired, and calls still running. The churn script checks with it that every killed connection
 * aborted its stream upstream; the flood script, how many calls reached the backend at once.
 */
import type { AgentBackend, AgentStreamChunk } from "@agentsocket/core";

/** Counters of one kind of call (`generate` or `stream`). */
export interface CallCounts {
  started: number;
  /** Calls whose `abortSignal` fired. */
  aborted: number;
  /**
   * Calls running now: a generate not yet settled, a stream whose iterator is not done (or,
   * never iterated, not yet aborted).
   */
  active: number;
  /** Most calls running at once. */
  peakActive: number;
}

/** What the server tells the scripts about its backend. */
export interface UpstreamCounts {
  generate: CallCounts;
  stream: CallCounts;
}

/** The path of the hostile server's counters route. */
export const UPSTREAM_ROUTE = "/__hostile/upstream";

/** What {@link UPSTREAM_ROUTE} answers. */
export interface UpstreamReport extends UpstreamCounts {
  /** Keys found on `Object.prototype` that a fresh process does not have (pollution). */
  prototypeKeys: string[];
}

const zero = (): CallCounts => ({ started: 0, aborted: 0, active: 0, peakActive: 0 });

/**
 * Wraps `backend` so every `generate` and `stream` call is counted.
 * @returns the wrapped backend and a function that reads the counters.
 */
export function countUpstream(backend: AgentBackend): {
  backend: AgentBackend;
  counts: () => UpstreamCounts;
} {
  const counts: UpstreamCounts = { generate: zero(), stream: zero() };
  const begin = (kind: CallCounts, signal: AbortSignal | undefined) => {
    kind.started++;
    kind.peakActive = Math.max(kind.peakActive, ++kind.active);
    let ended = false;
    const end = () => {
      if (!ended) kind.active--;
      ended = true;
    };
    signal?.addEventListener("abort", () => kind.aborted++, { once: true });
    return end;
  };

  /**
   * The stream as the server iterates it; its end is the call's end. A stream aborted before
   * the server began iterating it is over too: the server drops it unstarted.
   */
  function watched(
    stream: AsyncIterable<AgentStreamChunk>,
    signal: AbortSignal | undefined,
    end: () => void,
  ) {
    let begun = false;
    const dropped = () => begun || end();
    if (signal?.aborted) dropped();
    else signal?.addEventListener("abort", dropped, { once: true });
    return (async function* () {
      begun = true;
      try {
        yield* stream;
      } finally {
        end();
      }
    })();
  }

  return {
    counts: () => structuredClone(counts),
    backend: {
      ...backend,
      async generate(request) {
        const end = begin(counts.generate, request.abortSignal);
        try {
          return await backend.generate(request);
        } finally {
          end();
        }
      },
      async stream(request) {
        const end = begin(counts.stream, request.abortSignal);
        try {
          const result = await backend.stream(request);
          // Replaced in place: the demo agent fills in usage and finishReason on this very object.
          result.stream = watched(result.stream, request.abortSignal, end);
          return result;
        } catch (error) {
          end();
          throw error;
        }
      },
    },
  };
}
