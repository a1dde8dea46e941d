/**
 * Writes the published results: docs/benchmarks.md, docs/benchmarks/results.json (raw samples)
 * and docs/benchmarks/chart.svg, all from the same results.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { BenchResults, RuntimeSummary } from "../results.ts";
import { runtimeTitle } from "../runtimes.ts";
import { buildChartSvg, ratioPanels } from "./chart.ts";
import { benchmarksMarkdown, type RuntimeTargets } from "./markdown.ts";
import { FRAMEWORKS } from "./tables.ts";

/** The chart's panels: ÷ floor and ÷ Socket.IO for each runtime, titled with its Node. */
export function runtimePanels(summaries: readonly RuntimeSummary[]) {
  return summaries.flatMap((summary) =>
    ratioPanels(summary.servers).map((panel) => ({
      ...panel,
      title: summaries.length > 1 ? `${panel.title}, ${runtimeTitle(summary.node)}` : panel.title,
    })),
  );
}

/** Writes the three files; resolves with their paths relative to the repository root. */
export async function writeDocs(
  results: BenchResults,
  summaries: RuntimeSummary[],
  targets: RuntimeTargets[],
): Promise<string[]> {
  const docs = fileURLToPath(new URL("../../../docs/", import.meta.url));
  await mkdir(`${docs}benchmarks`, { recursive: true });
  const chart = buildChartSvg(
    runtimePanels(summaries),
    FRAMEWORKS.map((framework) => `agentsocket ${framework}`),
    `agentsocket benchmark ratios (median of ${results.sizes.runs} runs, ${results.date.slice(0, 10)})`,
  );
  await writeFile(`${docs}benchmarks/chart.svg`, chart);
  await writeFile(`${docs}benchmarks/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(`${docs}benchmarks.md`, benchmarksMarkdown(results, summaries, targets));
  return ["docs/benchmarks.md", "docs/benchmarks/results.json", "docs/benchmarks/chart.svg"];
}
