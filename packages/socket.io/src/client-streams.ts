/**
 * The streams one Socket.IO client runs — its `chat:*` turn and its `ai:*` streams together —
 * so `chat:stop`, `ai:cancel` and a disconnect can abort them upstream, and the agent's
 * `maxInFlightRequests`, `maxConcurrentStreams` and `maxStreamsPerMinute` bound them as on `/ws`.
 */
import { streamLimit, type AgentService } from "@agentsocket/core/agent";

/** Why a stream could not start: its key runs already, or a limit (`code`, `message`). */
export type StartRefusal = "duplicate" | { code: string; message: string };

export interface ClientStreams {
  /** Registers a stream under `key`; its controller aborts it upstream. */
  start(key: string): AbortController | StartRefusal;
  /** Aborts the stream under `key`; false when none runs (it may have just ended). */
  cancel(key: string): boolean;
  /** Forgets a stream that has sent its terminal event. */
  end(key: string, controller: AbortController): void;
  /** Registers a stream that moved here from a previous client; false when `key` is taken. */
  adopt(key: string, controller: AbortController): boolean;
  /** Forgets a stream without aborting it (it moves to another client). */
  forget(key: string): void;
  /** Aborts every stream (the client went away). */
  abortAll(): void;
  /** Streams running now. */
  readonly size: number;
}

/**
 * The streams of one client of `agent`; `rateKey` counts its starts for `maxStreamsPerMinute`
 * (the user, else the client itself, as on `/ws`).
 */
export function createClientStreams(agent: AgentService, rateKey: string): ClientStreams {
  const { maxInFlightRequests, maxConcurrentStreams } = agent.options;
  const running = new Map<string, AbortController>();
  return {
    start(key) {
      if (running.has(key)) return "duplicate";
      // In the order /ws checks them (ws-handler.ts): every request here is a stream.
      if (running.size >= maxInFlightRequests) {
        const message = `At most ${maxInFlightRequests} requests in flight per connection`;
        return { code: "TOO_MANY_REQUESTS", message };
      }
      if (running.size >= maxConcurrentStreams) {
        const message = `At most ${maxConcurrentStreams} concurrent streams per connection`;
        return { code: "TOO_MANY_STREAMS", message };
      }
      const limited = streamLimit(agent, rateKey);
      if (limited) return { code: limited.code, message: limited.message };
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
    adopt(key, controller) {
      if (running.has(key)) return false;
      running.set(key, controller);
      return true;
    },
    forget(key) {
      running.delete(key);
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
