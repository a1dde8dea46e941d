/**
 * Text formatting of the report: numbers, ratios, and aligned pipe tables that read well in a
 * terminal and render as Markdown unchanged.
 */

/** A number with thousands separators and `digits` decimals; "—" when missing. */
export function formatNumber(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A ratio as `0.87×`; "—" when missing. */
export function formatRatio(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  return `${value.toFixed(value < 0.1 ? 3 : 2)}×`;
}

/** `a ÷ b`, or undefined when either is missing or `b` is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0)
    return undefined;
  return a / b;
}

/**
 * An aligned Markdown table. The first `leftColumns` columns are left-aligned, the rest
 * right-aligned (numbers).
 * @example formatTable(["a", "b"], [["x", "1"]]) // "| a | b |\n| :-- | --: |\n| x | 1 |"
 */
export function formatTable(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((title, c) =>
    Math.max(3, title.length, ...rows.map((row) => (row[c] ?? "").length)),
  );
  const cell = (text: string, c: number) =>
    c < leftColumns ? text.padEnd(widths[c]!) : text.padStart(widths[c]!);
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = widths.map((w, c) =>
    c < leftColumns ? `:${"-".repeat(w - 1)}` : `${"-".repeat(w - 1)}:`,
  );
  return [line(header), `| ${rule.join(" | ")} |`, ...rows.map(line)].join("\n");
}
