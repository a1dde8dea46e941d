/**
 * The two tables of the report: absolute medians per server, and the ratios of each agentsocket
 * framework to the ws floor and to Socket.IO.
 */
import { METRICS, type Measurements, type MetricInfo } from "../metrics.ts";
import { SERVER_TITLES, type ServerKind } from "../server-process.ts";
import { formatNumber, formatRatio, formatTable, ratio } from "./format.ts";

/** Median measurements per server. */
export type Summary = Partial<Record<ServerKind, Measurements>>;

/** The agentsocket frameworks, each compared on its own (never only the best one). */
export const FRAMEWORKS = ["hono", "express", "fastify"] as const satisfies readonly ServerKind[];

const ALL: readonly ServerKind[] = [...FRAMEWORKS, "ws", "socketio", "socketio-agent"];

const label = (metric: MetricInfo) =>
  metric.unit === "" ? metric.label : `${metric.label} (${metric.unit})`;

/** Metrics that at least one server has a value for. */
function present(summary: Summary, metrics: readonly MetricInfo[]): MetricInfo[] {
  return metrics.filter((metric) => ALL.some((kind) => summary[kind]?.[metric.id] !== undefined));
}

/** The table of absolute medians: one row per metric, one column per server. */
export function absoluteTable(summary: Summary): string {
  const header = ["scenario", "metric", ...ALL.map((kind) => SERVER_TITLES[kind])];
  const rows = present(summary, METRICS).map((metric) => [
    metric.scenario,
    label(metric),
    ...ALL.map((kind) => formatNumber(summary[kind]?.[metric.id], metric.digits)),
  ]);
  return formatTable(header, rows, 2);
}

/** One ratio of the report: an agentsocket framework's median over a reference's median. */
export function ratioOf(
  summary: Summary,
  metric: MetricInfo,
  framework: ServerKind,
  reference: ServerKind,
): number | undefined {
  return ratio(summary[framework]?.[metric.id], summary[reference]?.[metric.id]);
}

/** The table of ratios (metrics that have a better direction only). */
export function ratioTable(summary: Summary): string {
  const references: ServerKind[] = ["ws", "socketio"];
  const header = [
    "scenario",
    "metric (better)",
    ...references.flatMap((reference) =>
      FRAMEWORKS.map((framework) => `${framework} ÷ ${reference === "ws" ? "floor" : "Socket.IO"}`),
    ),
  ];
  const comparable = present(summary, METRICS).filter((metric) => metric.better !== "info");
  const rows = comparable.map((metric) => [
    metric.scenario,
    `${metric.label} (${metric.better === "lower" ? "↓" : "↑"})`,
    ...references.flatMap((reference) =>
      FRAMEWORKS.map((framework) => formatRatio(ratioOf(summary, metric, framework, reference))),
    ),
  ]);
  return formatTable(header, rows, 2);
}
