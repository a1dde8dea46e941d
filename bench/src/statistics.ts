/**
 * The two statistics the report uses: the median of runs, and percentiles of latency samples.
 */

/**
 * The median of `values` (the mean of the middle two for an even count); NaN when empty.
 * @example median([3, 1, 2]) // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The `p`-th percentile (0–100) of `values` by the nearest-rank method; NaN when empty.
 * Pass `sorted: true` when the values are already in ascending order.
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(values: ArrayLike<number>, p: number, sorted = false): number {
  if (values.length === 0) return NaN;
  const ordered = sorted ? values : Float64Array.from(values).sort();
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * ordered.length);
  return ordered[Math.max(rank, 1) - 1]!;
}
