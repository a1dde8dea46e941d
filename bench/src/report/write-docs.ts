/**
 * Writes the published results: docs/benchmarks.md, docs/benchmarks/results.json (raw samples)
 * and docs/benchmarks/chart.svg, all from the same results.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { BenchResults } from "../results.ts";
import { buildChartSvg, ratioPanels } from "./chart.ts";
import { benchmarksMarkdown } from "./markdown.ts";
import { FRAMEWORKS, type Summary } from "./tables.ts";
import type { TargetResult } from "./targets.ts";

/** Writes the three files; resolves with their paths relative to the repository root. */
export async function writeDocs(
  results: BenchResults,
  summary: Summary,
  targets: TargetResult[],
): Promise<string[]> {
  const docs = fileURLToPath(new URL("../../../docs/", import.meta.url));
  await mkdir(`${docs}benchmarks`, { recursive: true });
  const chart = buildChartSvg(
    ratioPanels(summary),
    FRAMEWORKS.map((framework) => `agentsocket ${framework}`),
    `agentsocket benchmark ratios (median of ${results.sizes.runs} runs, ${results.date.slice(0, 10)})`,
  );
  await writeFile(`${docs}benchmarks/chart.svg`, chart);
  await writeFile(`${docs}benchmarks/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(`${docs}benchmarks.md`, benchmarksMarkdown(results, summary, targets));
  return ["docs/benchmarks.md", "docs/benchmarks/results.json", "docs/benchmarks/chart.svg"];
}
