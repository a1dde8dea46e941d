/**
 * Seed 000's `getStats()` and `enableMetrics()` for the standalone server: message rates over a
 * sliding window, heartbeat latency, memory, and the same figures in Prometheus text format.
 * A minimal set of its own; when the manager has `getStats()` its fields take precedence.
 */

/** What `getStats()` answers. */
export interface StandaloneStats {
  activeConnections: number;
  /** Connections opened since start. */
  totalConnections: number;
  /** Frames received per second over the last {@link WINDOW_MS}. */
  messagesPerSecond: number;
  /** Frames received since start. */
  totalMessages: number;
  /** Mean of each connection's last heartbeat round trip, in ms (0 before any). */
  averageLatency: number;
  /** Rooms with a member on this instance. */
  rooms: number;
  /** Seconds since `start()`. */
  uptime: number;
  memoryUsage: NodeJS.MemoryUsage;
}

/** Options of `enableMetrics()` (seed 000's names; the `collect*` flags are accepted, all on). */
export interface MetricsOptions {
  /** Serve the figures in Prometheus text format at `metricsEndpoint`. @default true */
  exportPrometheus?: boolean;
  /** @default "/metrics" */
  metricsEndpoint?: string;
  collectConnectionStats?: boolean;
  collectMessageStats?: boolean;
  collectPerformanceStats?: boolean;
}

const WINDOW_MS = 10_000;

/** Counts what the server sees. */
export class StatsRecorder {
  #totalConnections = 0;
  #totalMessages = 0;
  /** Arrival times (ms) of the frames in the window. */
  #recent: number[] = [];
  readonly #latency = new Map<string, number>();
  #startedAt = Date.now();

  started(): void {
    this.#startedAt = Date.now();
  }

  opened(): void {
    this.#totalConnections++;
  }

  closed(connectionId: string): void {
    this.#latency.delete(connectionId);
  }

  received(now = Date.now()): void {
    this.#totalMessages++;
    this.#recent.push(now);
    if (this.#recent.length > 100_000) this.#prune(now);
  }

  heartbeat(connectionId: string, latency: number): void {
    this.#latency.set(connectionId, latency);
  }

  snapshot(activeConnections: number, rooms: number): StandaloneStats {
    const now = Date.now();
    this.#prune(now);
    const latencies = [...this.#latency.values()];
    const averageLatency = latencies.length
      ? latencies.reduce((sum, value) => sum + value, 0) / latencies.length
      : 0;
    return {
      activeConnections,
      totalConnections: this.#totalConnections,
      messagesPerSecond:
        this.#recent.length / (Math.min(WINDOW_MS, now - this.#startedAt || 1) / 1000),
      totalMessages: this.#totalMessages,
      averageLatency,
      rooms,
      uptime: Math.round((now - this.#startedAt) / 1000),
      memoryUsage: process.memoryUsage(),
    };
  }

  #prune(now: number): void {
    const from = now - WINDOW_MS;
    let drop = 0;
    while (drop < this.#recent.length && this.#recent[drop]! < from) drop++;
    if (drop > 0) this.#recent = this.#recent.slice(drop);
  }
}

/** `stats` in Prometheus text exposition format 0.0.4. */
export function prometheusText(stats: StandaloneStats): string {
  const lines: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, value: number) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  metric(
    "agentsocket_connections",
    "gauge",
    "Open WebSocket connections.",
    stats.activeConnections,
  );
  metric(
    "agentsocket_connections_opened_total",
    "counter",
    "WebSocket connections opened.",
    stats.totalConnections,
  );
  metric(
    "agentsocket_messages_received_total",
    "counter",
    "Frames received from clients.",
    stats.totalMessages,
  );
  metric(
    "agentsocket_heartbeat_latency_seconds",
    "gauge",
    "Mean last heartbeat round trip.",
    stats.averageLatency / 1000,
  );
  metric("agentsocket_rooms", "gauge", "Rooms with a member on this instance.", stats.rooms);
  metric(
    "process_resident_memory_bytes",
    "gauge",
    "Resident memory size in bytes.",
    stats.memoryUsage.rss,
  );
  metric(
    "nodejs_heap_size_used_bytes",
    "gauge",
    "Process heap size used in bytes.",
    stats.memoryUsage.heapUsed,
  );
  return `${lines.join("\n")}\n`;
}
