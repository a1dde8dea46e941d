/**
 * Moving a backend's stream into a streaming channel: text becomes chunk frames, tool activity
 * becomes tool frames, and an abort ends the wait even when the backend ignores its signal.
 */
import type { StreamingChannel } from "../streaming/channel.ts";
import type { AgentStreamChunk } from "./backend.ts";

/**
 * Pulls chunks into the channel until the stream ends or `signal` aborts, whichever comes first:
 * the promise settles at the abort even while the backend still holds a `next()` (it may never
 * answer one). Rejects when the iterator throws or the channel fails (client stalled or gone).
 */
export function pump(
  iterator: AsyncIterator<AgentStreamChunk>,
  signal: AbortSignal,
  channel: StreamingChannel,
): Promise<void> {
  return new Pump(iterator, signal, channel).done;
}

/**
 * One stream's pull loop, written with `then` rather than as an async function raced with the
 * abort: a stream lives for seconds, so whatever it holds is copied by the young-generation GC
 * and promoted. The async function, its race, the race's closures and listener held about
 * 0.6 KB per stream (heap snapshot, 335 paced streams); this holds one object, its promise and
 * four handlers made once, and each token costs one reaction instead of an await's context,
 * closures and reaction.
 */
class Pump {
  readonly done: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  readonly #onNext = (next: IteratorResult<AgentStreamChunk>) => this.#take(next);
  readonly #onError = (error: unknown) => this.#settle(error, true);
  readonly #pull = () => this.#next();
  readonly #onAbort = () => this.#settle(undefined, false);

  constructor(
    private readonly iterator: AsyncIterator<AgentStreamChunk>,
    private readonly signal: AbortSignal,
    private readonly channel: StreamingChannel,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (signal.aborted) this.#settle(undefined, false);
    else {
      signal.addEventListener("abort", this.#onAbort, { once: true });
      this.#next();
    }
  }

  #next(): void {
    if (this.#settled) return;
    let next: Promise<IteratorResult<AgentStreamChunk>>;
    try {
      next = Promise.resolve(this.iterator.next());
    } catch (error) {
      return this.#settle(error, true);
    }
    next.then(this.#onNext, this.#onError);
  }

  /** Handles one item; pulls the next at once, or once the channel has room. */
  #take(next: IteratorResult<AgentStreamChunk>): void {
    if (this.#settled) return;
    if (this.signal.aborted || next.done) return this.#settle(undefined, false);
    const chunk = next.value as Record<string, unknown>;
    const { channel } = this;
    try {
      if (typeof chunk.content === "string") {
        // NeuroLink emits empty and metadata items; only text becomes chunk frames.
        const wait = chunk.content.length === 0 ? undefined : channel.send(chunk.content);
        if (wait) return void wait.then(this.#pull, this.#onError);
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
    } catch (error) {
      return this.#settle(error, true);
    }
    this.#next();
  }

  #settle(error: unknown, failed: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    this.signal.removeEventListener("abort", this.#onAbort);
    if (failed) this.#reject(error);
    else this.#resolve();
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
