/**
 * How the hostile scripts print: counters keyed by code or type, and one table per script with
 * a row per figure and a column per framework, in the bench's Markdown table format.
 */
import { formatNumber, formatTable } from "../report/format.ts";

/** Occurrences by key (an error code, a close code, a frame type). */
export type Counts = Record<string, number>;

/** Adds one to `counts[key]`. */
export function increment(counts: Counts, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** `A 3 · B 1`, most frequent first; "none" when empty. */
export function formatCounts(counts: Counts): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return "none";
  return entries.map(([key, n]) => `${key} ${formatNumber(n, 0)}`).join(" · ");
}

/** Bytes as MiB with one decimal. */
export const mib = (bytes: number): string => formatNumber(bytes / 2 ** 20, 1);

/** Milliseconds with `digits` decimals. */
export const ms = (value: number, digits = 1): string => formatNumber(value, digits);

/** One row of a script's table: its label and how to read it from a result. */
export type Row<R> = [label: string, value: (result: R) => string];

/**
 * A table with a row per figure and a column per framework.
 * @example resultTable(results, [["frames", (r) => String(r.frames)]])
 */
export function resultTable<R extends { framework: string }>(
  results: readonly R[],
  rows: readonly Row<R>[],
): string {
  return formatTable(
    ["", ...results.map((result) => result.framework)],
    rows.map(([label, value]) => [label, ...results.map(value)]),
  );
}

/** The failed invariants of one result, each with its framework. */
export function failuresOf<R extends { framework: string }>(
  results: readonly R[],
  check: (result: R) => string[],
): string[] {
  return results.flatMap((result) =>
    check(result).map((failure) => `${result.framework}: ${failure}`),
  );
}
