/**
 * The report's tables across runtimes: the ratio table with Node 20's and Node 24's ratio side by
 * side in each cell, Node 24 ÷ Node 20 per server, and the cluster and resumable-streaming
 * tables (one column per system or mode and runtime, each figure with its ratio to the reference
 * column).
 */
import { METRICS } from "../metrics.ts";
import type { MedianTable, RuntimeSummary } from "../results.ts";
import { runtimeTitle } from "../runtimes.ts";
import { SERVER_TITLES, type ServerKind } from "../server-process.ts";
import type { SuiteMetric } from "../suite-metrics.ts";
import { formatNumber, formatRatio, formatTable, ratio } from "./format.ts";
import { FRAMEWORKS, ratioOf } from "./tables.ts";

const REFERENCES: readonly ServerKind[] = ["ws", "socketio"];
const SERVERS: readonly ServerKind[] = [...FRAMEWORKS, "ws", "socketio", "socketio-agent"];

/** `Node 20 / Node 24`: what each cell of a side-by-side table holds. */
export const runtimesHeading = (summaries: readonly RuntimeSummary[]): string =>
  summaries.map((summary) => runtimeTitle(summary.node)).join(" / ");

/**
 * Each framework ÷ ws floor and ÷ Socket.IO, every runtime's ratio in the same cell
 * (`1.22× / 1.10×`, in {@link runtimesHeading} order).
 */
export function sideBySideRatioTable(summaries: readonly RuntimeSummary[]): string {
  const header = [
    "scenario",
    "metric (better)",
    ...REFERENCES.flatMap((reference) =>
      FRAMEWORKS.map((framework) => `${framework} ÷ ${reference === "ws" ? "floor" : "Socket.IO"}`),
    ),
  ];
  const rows = METRICS.filter((metric) => metric.better !== "info")
    .map((metric) => {
      const cells = REFERENCES.flatMap((reference) =>
        FRAMEWORKS.map((framework) =>
          summaries.map((s) => ratioOf(s.servers, metric, framework, reference)),
        ),
      );
      return { metric, cells };
    })
    .filter(({ cells }) => cells.some((cell) => cell.some((value) => value !== undefined)))
    .map(({ metric, cells }) => [
      metric.scenario,
      `${metric.label} (${metric.better === "lower" ? "↓" : "↑"})`,
      ...cells.map((cell) => cell.map(formatRatio).join(" / ")),
    ]);
  return formatTable(header, rows, 2);
}

/** Every server's median on the last runtime ÷ on the first (Node 24 ÷ Node 20). */
export function runtimeComparisonTable(summaries: readonly RuntimeSummary[]): string {
  const [first, last] = [summaries[0], summaries.at(-1)];
  const servers = SERVERS.filter((kind) => first?.servers[kind] && last?.servers[kind]);
  const header = ["scenario", "metric (better)", ...servers.map((kind) => SERVER_TITLES[kind])];
  const rows = METRICS.filter((metric) => metric.better !== "info").flatMap((metric) => {
    const values = servers.map((kind) =>
      ratio(last?.servers[kind]?.[metric.id], first?.servers[kind]?.[metric.id]),
    );
    if (values.every((value) => value === undefined)) return [];
    const arrow = metric.better === "lower" ? "↓" : "↑";
    return [[metric.scenario, `${metric.label} (${arrow})`, ...values.map(formatRatio)]];
  });
  return formatTable(header, rows, 2);
}

/** How one suite table reads its runtime summaries. */
export interface SuiteTableSpec<C extends string, M extends string> {
  pick(summary: RuntimeSummary): MedianTable<C, M>;
  columns: readonly C[];
  titles: Record<C, string>;
  metrics: readonly SuiteMetric<M>[];
  /** Every other column's figure gets its ratio to this column's, `(0.81×)`. */
  reference: C;
}

/**
 * Rows: the metrics; columns: each runtime's systems or modes (`agentsocket ×3, Node 20`). A
 * metric no column has is left out, and so is a column with no figures.
 */
export function suiteTable<C extends string, M extends string>(
  summaries: readonly RuntimeSummary[],
  spec: SuiteTableSpec<C, M>,
): string {
  const many = summaries.length > 1;
  const columns = summaries.flatMap((summary) =>
    spec.columns
      .filter((column) => spec.pick(summary)[column] !== undefined)
      .map((column) => ({ summary, column })),
  );
  const header = [
    "",
    ...columns.map(
      ({ summary, column }) =>
        `${spec.titles[column]}${many ? `, ${runtimeTitle(summary.node)}` : ""}`,
    ),
  ];
  const rows = spec.metrics.flatMap((metric) => {
    const cells = columns.map(({ summary, column }) => {
      const table = spec.pick(summary);
      const value = table[column]?.[metric.id];
      const reference = table[spec.reference]?.[metric.id];
      const shown = formatNumber(value, metric.digits);
      if (value === undefined || column === spec.reference || metric.better === "info")
        return shown;
      const r = ratio(value, reference);
      return r === undefined ? shown : `${shown} (${formatRatio(r)})`;
    });
    if (cells.every((cell) => cell === "—")) return [];
    return [[metric.unit === "" ? metric.label : `${metric.label} (${metric.unit})`, ...cells]];
  });
  return formatTable(header, rows);
}
