/**
 * Every figure the bench reports, with its unit and which direction is better. Scenarios return
 * values keyed by these ids; the report, the targets and the chart all read this one list.
 */

/** Which way a metric improves; "info" metrics describe the load and get no ratio. */
export type Better = "lower" | "higher" | "info";

/** One reported figure. */
export interface MetricInfo {
  id: MetricId;
  scenario: string;
  label: string;
  unit: string;
  better: Better;
  /** Decimals shown. */
  digits: number;
}

/** The ids of every metric. */
export type MetricId =
  | "streaming.cpuPerToken"
  | "streaming.tokensPerSecond"
  | "streaming.framesPerToken"
  | "realistic.p50"
  | "realistic.p99"
  | "realistic.cpuPerToken"
  | "realistic.capacity"
  | "realistic.streams"
  | "realistic.cpuShare"
  | "idle.bytesPerConnection"
  | "handshakes.perSecond"
  | "handshakes.cpuPerHandshake"
  | "fanout.cpuPerMessage";

/** Values a scenario measured in one run. */
export type Measurements = Partial<Record<MetricId, number>>;

const m = (
  id: MetricId,
  scenario: string,
  label: string,
  unit: string,
  better: Better,
  digits: number,
): MetricInfo => ({ id, scenario, label, unit, better, digits });

/** Every metric, in report order. */
export const METRICS: readonly MetricInfo[] = [
  m("streaming.cpuPerToken", "1. token streaming", "server CPU per token", "µs", "lower", 2),
  m("streaming.tokensPerSecond", "1. token streaming", "tokens/s", "tok/s", "higher", 0),
  m("streaming.framesPerToken", "1. token streaming", "frames per token", "", "info", 3),
  m("realistic.p50", "2. realistic streaming", "p50 yield→receipt", "ms", "lower", 2),
  m("realistic.p99", "2. realistic streaming", "p99 yield→receipt", "ms", "lower", 2),
  m("realistic.cpuPerToken", "2. realistic streaming", "server CPU per token", "µs", "lower", 2),
  m(
    "realistic.capacity",
    "2. realistic streaming",
    "paced capacity of one core (calibration)",
    "tok/s",
    "info",
    0,
  ),
  m("realistic.streams", "2. realistic streaming", "concurrent streams offered", "", "info", 0),
  m(
    "realistic.cpuShare",
    "2. realistic streaming",
    "server CPU busy (all streams running)",
    "%",
    "info",
    0,
  ),
  m(
    "idle.bytesPerConnection",
    "3. idle connections",
    "server RSS per connection",
    "bytes",
    "lower",
    0,
  ),
  m("handshakes.perSecond", "4. handshakes (JWT)", "handshakes/s", "/s", "higher", 0),
  m(
    "handshakes.cpuPerHandshake",
    "4. handshakes (JWT)",
    "server CPU per handshake",
    "µs",
    "lower",
    0,
  ),
  m("fanout.cpuPerMessage", "5. fan-out", "server CPU per delivered message", "µs", "lower", 2),
];

/** The metric with `id`. */
export function metricInfo(id: MetricId): MetricInfo {
  return METRICS.find((metric) => metric.id === id)!;
}
