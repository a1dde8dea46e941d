/**
 * `manager.getStats()` (seed 000): a snapshot of one instance — connections, messages per second,
 * heartbeat latency, streams, memory — kept by an always-on instrumentation that costs one
 * increment per received frame and nothing per sent frame.
 */
import type { WebSocketConnection } from "../types.ts";
import type { Instrumentation } from "./instrumentation.ts";

/** What `manager.getStats()` answers. Everything is about this instance only. */
export interface ConnectionStats {
  /** Connections open now. */
  activeConnections: number;
  /** Open connections per served path (every served path listed, even at zero). */
  connectionsByPath: Record<string, number>;
  /** Frames received per second, averaged over the last 10 seconds (or since start if sooner). */
  messagesPerSecond: number;
  /** Frames received since the manager was created. */
  messagesReceived: number;
  /**
   * Mean heartbeat round trip (ms) of the open connections that have answered a ping, or `null`
   * while none has (the heartbeat is off, or no ping was answered yet).
   */
  averageLatency: number | null;
  /** Streams (agent `stream` requests) running now. */
  streamsActive: number;
  /** Rooms with at least one member on this instance. */
  rooms: number;
  /** Seconds since the manager was created. */
  uptime: number;
  /** The process's memory in bytes, where the runtime tells (Node, Bun, Deno). */
  memoryUsage?: { rss: number; heapTotal: number; heapUsed: number; external: number };
}

/** What the snapshot reads from the manager. */
export interface StatsSource {
  connections: Iterable<WebSocketConnection>;
  byPath: Record<string, number>;
  rooms: number;
}

const WINDOW_SECONDS = 10;

/** Counts received frames per second in a ring of {@link WINDOW_SECONDS} one-second buckets. */
export class StatsCollector implements Instrumentation {
  readonly #startedAt = Date.now();
  readonly #counts = new Array<number>(WINDOW_SECONDS).fill(0);
  readonly #seconds = new Array<number>(WINDOW_SECONDS).fill(-1);
  #received = 0;
  #streams = 0;

  messageReceived(): void {
    const second = Math.floor(Date.now() / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot]!++;
    this.#received++;
  }

  streamStarted(): void {
    this.#streams++;
  }

  streamEnded(): void {
    this.#streams--;
  }

  snapshot(source: StatsSource): ConnectionStats {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    let recent = 0;
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
      if (second - this.#seconds[slot]! < WINDOW_SECONDS) recent += this.#counts[slot]!;
    }
    const elapsed = (now - this.#startedAt) / 1000;
    let active = 0;
    let measured = 0;
    let latencies = 0;
    for (const connection of source.connections) {
      active++;
      if (connection.latency === undefined) continue;
      measured++;
      latencies += connection.latency;
    }
    const stats: ConnectionStats = {
      activeConnections: active,
      connectionsByPath: source.byPath,
      messagesPerSecond: round(recent / Math.min(WINDOW_SECONDS, Math.max(1, elapsed))),
      messagesReceived: this.#received,
      averageLatency: measured === 0 ? null : round(latencies / measured),
      streamsActive: this.#streams,
      rooms: source.rooms,
      uptime: Math.floor(elapsed),
    };
    const memory = memoryUsage();
    if (memory) stats.memoryUsage = memory;
    return stats;
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

function memoryUsage(): ConnectionStats["memoryUsage"] {
  // Workers and browsers have no process; Node, Bun and Deno do.
  const usage = (globalThis as { process?: Partial<NodeJS.Process> }).process?.memoryUsage?.();
  if (usage === undefined) return undefined;
  const { rss, heapTotal, heapUsed, external } = usage;
  return { rss, heapTotal, heapUsed, external };
}
