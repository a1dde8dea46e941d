/**
 * The streams one Socket.IO client runs — its `chat:*` turn and its `ai:*` streams together —
 * so `chat:stop`, `ai:cancel` and a disconnect can abort them upstream, and the agent's
 * `maxConcurrentStreams` bounds them per connection as it does on `/ws`.
 */

/** Why a stream could not start. */
export type StartRefusal = "duplicate" | "limit";

export interface ClientStreams {
  /** Registers a stream under `key`; its controller aborts it upstream. */
  start(key: string): AbortController | StartRefusal;
  /** Aborts the stream under `key`; false when none runs (it may have just ended). */
  cancel(key: string): boolean;
  /** Forgets a stream that has sent its terminal event. */
  end(key: string, controller: AbortController): void;
  /** Aborts every stream (the client went away). */
  abortAll(): void;
  /** Streams running now. */
  readonly size: number;
}

export function createClientStreams(maxConcurrentStreams: number): ClientStreams {
  const running = new Map<string, AbortController>();
  return {
    start(key) {
      if (running.has(key)) return "duplicate";
      if (running.size >= maxConcurrentStreams) return "limit";
      const controller = new AbortController();
      running.set(key, controller);
      return controller;
    },
    cancel(key) {
      const controller = running.get(key);
      controller?.abort();
      return controller !== undefined;
    },
    end(key, controller) {
      // A finished stream's key may already name a newer stream; only its own entry goes.
      if (running.get(key) === controller) running.delete(key);
    },
    abortAll() {
      for (const controller of running.values()) controller.abort();
      running.clear();
    },
    get size() {
      return running.size;
    },
  };
}
