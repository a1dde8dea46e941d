/**
 * The same measurements as the Prometheus metrics, as OpenTelemetry instruments on a meter the
 * app hands over (`metrics.getMeter("agentsocket")` from `@opentelemetry/api`). Nothing is
 * imported: the meter is typed by its shape, so apps without OpenTelemetry install nothing.
 */
import type { Instrumentation } from "@agentsocket/core";

type Attributes = Record<string, string>;

/** What {@link createOpenTelemetryInstrumentation} uses of an `@opentelemetry/api` `Meter`. */
export interface MeterLike {
  createCounter(
    name: string,
    options?: InstrumentOptions,
  ): { add(v: number, a?: Attributes): void };
  createUpDownCounter(
    name: string,
    options?: InstrumentOptions,
  ): { add(v: number, a?: Attributes): void };
  createHistogram(
    name: string,
    options?: InstrumentOptions & { advice?: { explicitBucketBoundaries?: number[] } },
  ): { record(v: number, a?: Attributes): void };
}

interface InstrumentOptions {
  description?: string;
  unit?: string;
}

/** Options of {@link createOpenTelemetryInstrumentation}. */
export interface OpenTelemetryOptions {
  /** The meter to create the instruments on, e.g. `metrics.getMeter("agentsocket")`. */
  meter: MeterLike;
}

const S = 1000;
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STREAM_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/**
 * An {@link Instrumentation} recording into OpenTelemetry instruments (names after the SignalR
 * semantic conventions: `agentsocket.server.active_connections`, `…connection.duration`, …; every
 * one in docs/metrics.md). Attributes are bounded like the Prometheus labels.
 * @throws {TypeError} when `meter` has no `createCounter`.
 * @example
 * import { metrics } from "@opentelemetry/api";
 * server.websocket.addInstrumentation(
 *   createOpenTelemetryInstrumentation({ meter: metrics.getMeter("agentsocket") }),
 * );
 */
export function createOpenTelemetryInstrumentation(options: OpenTelemetryOptions): Instrumentation {
  const meter = options?.meter;
  if (typeof meter?.createCounter !== "function")
    throw new TypeError('The "meter" option must be an OpenTelemetry Meter');
  const counter = (name: string, description: string, unit = "{count}") =>
    meter.createCounter(name, { description, unit });
  const histogram = (name: string, description: string, buckets: number[]) =>
    meter.createHistogram(name, {
      description,
      unit: "s",
      advice: { explicitBucketBoundaries: buckets },
    });
  // One attributes object per path, not one per frame.
  const byPath = new Map<string, Attributes>();
  const at = (path: string) => {
    let attributes = byPath.get(path);
    if (attributes === undefined) byPath.set(path, (attributes = { "agentsocket.path": path }));
    return attributes;
  };

  const connections = meter.createUpDownCounter("agentsocket.server.active_connections", {
    description: "WebSocket connections open now",
    unit: "{connection}",
  });
  const duration = histogram(
    "agentsocket.server.connection.duration",
    "How long connections stayed open",
    [0.1, 1, 10, 60, 300, 900, 3600, 14400, 86400],
  );
  const rejected = counter("agentsocket.server.handshake.rejections", "Handshakes refused");
  const received = counter("agentsocket.messages.received", "Frames received", "{message}");
  const receivedBytes = counter(
    "agentsocket.messages.received.size",
    "Payload bytes received",
    "By",
  );
  const sent = counter("agentsocket.messages.sent", "Frames sent", "{message}");
  const sentBytes = counter("agentsocket.messages.sent.size", "Payload bytes sent", "By");
  const errors = counter("agentsocket.errors", "Error frames sent and connection errors");
  const streams = meter.createUpDownCounter("agentsocket.streams.active", {
    description: "Streams running now",
    unit: "{stream}",
  });
  const chunks = counter("agentsocket.stream.chunks", "Chunk frames sent by streams", "{chunk}");
  const firstChunk = histogram(
    "agentsocket.stream.time_to_first_chunk",
    "From a stream's start to its first chunk frame",
    STREAM_BUCKETS,
  );
  const streamDuration = histogram(
    "agentsocket.stream.duration",
    "From a stream's start to its terminal frame",
    STREAM_BUCKETS,
  );
  const pauses = counter(
    "agentsocket.stream.backpressure_pauses",
    "Producer pauses for slow clients",
  );
  const heartbeat = histogram(
    "agentsocket.heartbeat.latency",
    "Heartbeat round trip",
    LATENCY_BUCKETS,
  );

  return {
    connectionOpened: (path) => connections.add(1, at(path)),
    connectionClosed({ path, durationMs }) {
      connections.add(-1, at(path));
      duration.record(durationMs / S, at(path));
    },
    handshakeRejected: ({ status, code }) =>
      rejected.add(1, { "http.response.status_code": String(status), "error.type": code }),
    messageReceived(path, bytes) {
      received.add(1, at(path));
      receivedBytes.add(bytes, at(path));
    },
    frameSent(path, bytes) {
      sent.add(1, at(path));
      sentBytes.add(bytes, at(path));
    },
    error: (path, code) => errors.add(1, { ...at(path), "error.type": code }),
    streamStarted: (path) => streams.add(1, at(path)),
    streamChunk: (path) => chunks.add(1, at(path)),
    streamEnded({ path, status, durationMs, timeToFirstChunkMs }) {
      streams.add(-1, at(path));
      streamDuration.record(durationMs / S, { ...at(path), "agentsocket.stream.status": status });
      if (timeToFirstChunkMs !== undefined) firstChunk.record(timeToFirstChunkMs / S, at(path));
    },
    backpressure: (path) => pauses.add(1, at(path)),
    heartbeat: (path, latencyMs) => heartbeat.record(latencyMs / S, at(path)),
  };
}
