/**
 * Prometheus metrics of one connection manager through `prom-client` (issue 13): core's
 * instrumentation hook feeds counters and histograms, and gauges are read from the manager when
 * scraped. Every label is bounded — a handler path, an HTTP status, an error code, a stream
 * status — never a connection, user, room or stream id. `docs/metrics.md` lists them all.
 */
import type { Instrumentation, WebSocketConnectionManager } from "@agentsocket/core";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Options of {@link createPrometheusMetrics} (and `config.metrics` of `createServer`). */
export interface PrometheusMetricsOptions {
  /**
   * The registry to register the metrics in, for an app that serves its own `/metrics`. One
   * manager per registry: the names are fixed. @default a new Registry
   */
  registry?: Registry;
  /**
   * Also serve `prom-client`'s default Node metrics (CPU, memory, event loop lag, GC): collected
   * into `registry` when one is given (unless it has them already), else into one registry per
   * process that {@link PrometheusMetrics.metrics} appends. @default true
   */
  defaultMetrics?: boolean;
}

/** A manager's metrics in a registry. */
export interface PrometheusMetrics {
  readonly registry: Registry;
  /**
   * The text exposition: every metric in the registry (the app's own included), then the
   * process's Node metrics when they are not in it.
   */
  metrics(): Promise<string>;
  /** The `Content-Type` of {@link metrics}. */
  readonly contentType: string;
  /** Detaches from the manager and removes what it registered. Idempotent. */
  close(): void;
}

const SECONDS = 1000;
const BUCKETS = {
  latency: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  firstToken: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  stream: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  connection: [0.1, 1, 10, 60, 300, 900, 3600, 14400, 86400],
};

/** Per-path totals of the per-frame events: plain additions, turned into counters when scraped. */
interface Tally {
  frames: number;
  bytes: number;
}

class TallyByPath {
  readonly #byPath = new Map<string, Tally>();
  // A server has a path or two: the last one's tally skips the map lookup on most frames.
  #lastPath: string | undefined;
  #last: Tally | undefined;
  add(path: string, bytes: number): void {
    let tally = path === this.#lastPath ? this.#last : this.#byPath.get(path);
    if (tally === undefined) this.#byPath.set(path, (tally = { frames: 0, bytes: 0 }));
    this.#lastPath = path;
    this.#last = tally;
    tally.frames++;
    tally.bytes += bytes;
  }
  /** Sets `counter` to the totals of `field` (counters set this way still only go up). */
  report(counter: Counter<"path">, field: keyof Tally): void {
    counter.reset();
    for (const [path, tally] of this.#byPath) counter.inc({ path }, tally[field]);
  }
}

/**
 * Registers agentsocket's metrics for `manager` in a registry and starts recording them.
 * Sent frames are counted on connections accepted from then on.
 * @throws {Error} from `prom-client` when the registry already holds a metric of the same name.
 * @example
 * const metrics = createPrometheusMetrics(manager);
 * app.get("/metrics", async (_req, res) => res.type(metrics.contentType).send(await metrics.metrics()));
 */
export function createPrometheusMetrics(
  manager: WebSocketConnectionManager,
  options: PrometheusMetricsOptions = {},
): PrometheusMetrics {
  const registry = options.registry ?? new Registry();
  if (!(registry instanceof Registry))
    throw new TypeError('The "metrics.registry" option must be a prom-client Registry');
  const before = new Set(registry.getMetricsAsArray().map((metric) => metric.name));
  const registers = [registry];
  const sent = new TallyByPath();
  const received = new TallyByPath();
  const chunked = new TallyByPath();
  const path = ["path"] as const;

  new Gauge({
    name: "agentsocket_connections",
    help: "WebSocket connections open now, by handler path",
    labelNames: path,
    registers,
    collect() {
      this.reset();
      for (const served of manager.paths())
        this.set({ path: served }, manager.getConnectionsByPath(served).length);
    },
  });
  const opened = new Counter({
    name: "agentsocket_connections_opened_total",
    help: "WebSocket connections accepted",
    labelNames: path,
    registers,
  });
  const duration = new Histogram({
    name: "agentsocket_connection_duration_seconds",
    help: "How long WebSocket connections stayed open",
    labelNames: path,
    buckets: BUCKETS.connection,
    registers,
  });
  const rejected = new Counter({
    name: "agentsocket_handshake_rejections_total",
    help: "WebSocket handshakes refused before the upgrade, by HTTP status and error code",
    labelNames: ["status", "code"] as const,
    registers,
  });
  const tallied = (name: string, help: string, tally: TallyByPath, field: keyof Tally) =>
    new Counter({
      name,
      help,
      labelNames: path,
      registers,
      collect() {
        tally.report(this, field);
      },
    });
  tallied("agentsocket_messages_received_total", "Frames received", received, "frames");
  tallied("agentsocket_received_bytes_total", "Payload bytes received", received, "bytes");
  tallied("agentsocket_frames_sent_total", "Frames sent", sent, "frames");
  tallied("agentsocket_bytes_sent_total", "Payload bytes sent (before compression)", sent, "bytes");
  const errors = new Counter({
    name: "agentsocket_errors_total",
    help: "Error frames sent and connection errors reported, by error code",
    labelNames: ["code"] as const,
    registers,
  });
  const streamsActive = new Gauge({
    name: "agentsocket_streams_active",
    help: "Streams running now",
    labelNames: path,
    registers,
  });
  const streams = new Counter({
    name: "agentsocket_streams_total",
    help: "Streams ended, by status (completed, cancelled, error)",
    labelNames: ["path", "status"] as const,
    registers,
  });
  tallied("agentsocket_stream_chunks_total", "Chunk frames sent by streams", chunked, "frames");
  const firstToken = new Histogram({
    name: "agentsocket_time_to_first_token_seconds",
    help: "From a stream's start to its first chunk frame",
    labelNames: path,
    buckets: BUCKETS.firstToken,
    registers,
  });
  const streamDuration = new Histogram({
    name: "agentsocket_stream_duration_seconds",
    help: "From a stream's start to its terminal frame",
    labelNames: ["path", "status"] as const,
    buckets: BUCKETS.stream,
    registers,
  });
  const pauses = new Counter({
    name: "agentsocket_backpressure_pauses_total",
    help: "Times a stream paused its producer for a client that did not keep up",
    labelNames: path,
    registers,
  });
  const heartbeat = new Histogram({
    name: "agentsocket_heartbeat_latency_seconds",
    help: "Round trip of heartbeat pings",
    labelNames: path,
    buckets: BUCKETS.latency,
    registers,
  });
  registerClusterMetrics(manager, registers);
  const withNode = options.defaultMetrics !== false;
  // Into the app's registry when it gave one; else one registry per process, scraped with ours:
  // prom-client's collectors (an event-loop timer among them) cannot be stopped again.
  if (withNode && options.registry !== undefined && !before.has(NODE_METRIC))
    collectDefaultMetrics({ register: registry });
  const node = withNode && options.registry === undefined ? processRegistry() : undefined;
  const ours = registry
    .getMetricsAsArray()
    .map((metric) => metric.name)
    .filter((name) => !before.has(name));

  const instrumentation: Instrumentation = {
    connectionOpened: (path) => opened.inc({ path }),
    connectionClosed: ({ path, durationMs }) => duration.observe({ path }, durationMs / SECONDS),
    handshakeRejected: ({ status, code }) => rejected.inc({ status: String(status), code }),
    messageReceived: (path, bytes) => received.add(path, bytes),
    frameSent: (path, bytes) => sent.add(path, bytes),
    error: (_path, code) => errors.inc({ code }),
    streamStarted: (path) => streamsActive.inc({ path }),
    streamChunk: (path) => chunked.add(path, 0),
    streamEnded({ path, status, durationMs, timeToFirstChunkMs }) {
      streamsActive.dec({ path });
      streams.inc({ path, status });
      streamDuration.observe({ path, status }, durationMs / SECONDS);
      if (timeToFirstChunkMs !== undefined)
        firstToken.observe({ path }, timeToFirstChunkMs / SECONDS);
    },
    backpressure: (path) => pauses.inc({ path }),
    heartbeat: (path, latencyMs) => heartbeat.observe({ path }, latencyMs / SECONDS),
  };
  const detach = manager.addInstrumentation(instrumentation);
  let closed = false;
  return {
    registry,
    metrics: async () => (await registry.metrics()) + (node ? await node.metrics() : ""),
    get contentType() {
      return registry.contentType;
    },
    close() {
      if (closed) return;
      closed = true;
      detach();
      for (const name of ours) registry.removeSingleMetric(name);
    },
  };
}

const NODE_METRIC = "process_cpu_user_seconds_total";
let nodeRegistry: Registry | undefined;

/** The process's one registry of `prom-client`'s default Node metrics, made on first use. */
function processRegistry(): Registry {
  if (nodeRegistry === undefined) {
    nodeRegistry = new Registry();
    collectDefaultMetrics({ register: nodeRegistry });
  }
  return nodeRegistry;
}

/** Gauges and counters read from `manager.cluster.health()` and the rooms when scraped. */
function registerClusterMetrics(manager: WebSocketConnectionManager, registers: Registry[]) {
  const health = () => manager.cluster.health();
  new Gauge({
    name: "agentsocket_rooms",
    help: "Rooms with members on this instance",
    registers,
    collect() {
      this.set(manager.getRooms().length);
    },
  });
  new Gauge({
    name: "agentsocket_broker_up",
    help: "1 while the message broker is connected (always 1 without one)",
    registers,
    collect() {
      this.set(health().state === "ready" ? 1 : 0);
    },
  });
  const counted = (
    name: string,
    help: string,
    field: "published" | "publishFailures" | "received",
  ) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(health()[field]);
      },
    });
  counted(
    "agentsocket_broker_published_total",
    "Messages published to other instances",
    "published",
  );
  counted(
    "agentsocket_broker_publish_failures_total",
    "Publishes the broker refused (the frame reached this instance's members only)",
    "publishFailures",
  );
  counted(
    "agentsocket_broker_received_total",
    "Messages received from other instances",
    "received",
  );
}
