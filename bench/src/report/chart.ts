/**
 * The chart of docs/benchmarks/chart.svg, drawn by hand (no chart library): one panel per
 * reference (ws floor, Socket.IO), a group of bars per metric, one bar per agentsocket framework.
 * The scale is logarithmic around 1× so 0.5× and 2× are the same distance from parity.
 */
import { METRICS } from "../metrics.ts";
import type { ServerKind } from "../server-process.ts";
import { formatRatio } from "./format.ts";
import { FRAMEWORKS, ratioOf, type Summary } from "./tables.ts";

/** One bar group: a metric and the ratio of each series. */
export interface ChartGroup {
  label: string;
  /** "↓ better" or "↑ better". */
  hint: string;
  values: (number | undefined)[];
}

/** One panel of the chart. */
export interface ChartPanel {
  title: string;
  groups: ChartGroup[];
}

const COLORS = ["#e4572e", "#2e86ab", "#76b041", "#8c8c8c"];
const GROUP_WIDTH = 110;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 60, right: 20, top: 56, bottom: 64 };

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The panels of the report's chart: each framework ÷ ws floor, and ÷ Socket.IO. */
export function ratioPanels(summary: Summary): ChartPanel[] {
  const metrics = METRICS.filter((metric) => metric.better !== "info");
  const panel = (reference: ServerKind, title: string): ChartPanel => ({
    title,
    groups: metrics
      .map((metric) => ({
        // "1. server CPU per token": the scenario number tells scenario 1 and 2 apart.
        label: `${metric.scenario.split(" ")[0]} ${metric.label}`,
        hint: metric.better === "lower" ? "↓ better" : "↑ better",
        values: FRAMEWORKS.map((framework) => ratioOf(summary, metric, framework, reference)),
      }))
      .filter((group) => group.values.some((value) => value !== undefined)),
  });
  return [
    panel("ws", "agentsocket ÷ hand-written ws floor"),
    panel("socketio", "agentsocket ÷ Socket.IO"),
  ];
}

/**
 * Draws `panels` as a standalone SVG document, series named by `series` (legend order).
 * @example buildChartSvg([{ title: "÷ floor", groups: [{ label: "CPU", hint: "", values: [0.9] }] }], ["hono"])
 */
export function buildChartSvg(panels: ChartPanel[], series: readonly string[], title = ""): string {
  const groups = Math.max(1, ...panels.map((panel) => panel.groups.length));
  const plotWidth = groups * GROUP_WIDTH;
  const width = MARGIN.left + plotWidth + MARGIN.right;
  const panelTotal = MARGIN.top + PANEL_HEIGHT + MARGIN.bottom;
  const height = 40 + panels.length * panelTotal;
  const logs = panels.flatMap((panel) =>
    panel.groups.flatMap((group) =>
      group.values.filter((v): v is number => v !== undefined && v > 0).map(Math.log2),
    ),
  );
  // Whole powers of two around every value, always including parity.
  const top = Math.max(1, Math.ceil(Math.max(0, ...logs)));
  const bottom = Math.min(-1, Math.floor(Math.min(0, ...logs)));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  series.forEach((name, i) => {
    const x = MARGIN.left + i * 170;
    out.push(
      `<rect x="${x}" y="32" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${x + 16}" y="42">${escapeXml(name)}</text>`,
    );
  });
  panels.forEach((panel, p) => {
    const y0 = 40 + p * panelTotal + MARGIN.top;
    const y = (log: number) => y0 + ((top - log) / (top - bottom)) * PANEL_HEIGHT;
    out.push(
      `<text x="${MARGIN.left}" y="${y0 - 12}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    for (let log = bottom; log <= top; log++) {
      const gy = y(log).toFixed(1);
      const parity = log === 0;
      out.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${gy}" y2="${gy}" stroke="${parity ? "#000" : "#ddd"}"${parity ? ' stroke-dasharray="4 3"' : ""}/>`,
        `<text x="${MARGIN.left - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle">${2 ** log}×</text>`,
      );
    }
    panel.groups.forEach((group, g) => {
      const gx = MARGIN.left + g * GROUP_WIDTH;
      const barWidth = (GROUP_WIDTH - 24) / Math.max(1, group.values.length);
      group.values.forEach((value, s) => {
        if (value === undefined || value <= 0) return;
        const log = Math.min(top, Math.max(bottom, Math.log2(value)));
        const [a, b] = [y(0), y(log)];
        const x = gx + 12 + s * barWidth;
        out.push(
          `<rect x="${x.toFixed(1)}" y="${Math.min(a, b).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${Math.max(1, Math.abs(a - b)).toFixed(1)}" fill="${COLORS[s % COLORS.length]}"><title>${escapeXml(`${series[s] ?? ""}: ${formatRatio(value)}`)}</title></rect>`,
          `<text x="${(x + barWidth / 2 - 1).toFixed(1)}" y="${(log >= 0 ? b - 3 : b + 10).toFixed(1)}" text-anchor="middle" font-size="9">${escapeXml(formatRatio(value))}</text>`,
        );
      });
      const ly = y0 + PANEL_HEIGHT + 16;
      out.push(
        `<text x="${gx + GROUP_WIDTH / 2}" y="${ly}" text-anchor="middle">${wrap(group.label, gx + GROUP_WIDTH / 2)}</text>`,
        `<text x="${gx + GROUP_WIDTH / 2}" y="${ly + 40}" text-anchor="middle" fill="#666">${escapeXml(group.hint)}</text>`,
      );
    });
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** Splits a label into lines of about 16 characters as `<tspan>`s. */
function wrap(label: string, x: number): string {
  const lines: string[] = [];
  for (const word of label.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + word.length < 16)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines
    .map((line, i) => `<tspan x="${x}" dy="${i === 0 ? 0 : 12}">${escapeXml(line)}</tspan>`)
    .join("");
}
