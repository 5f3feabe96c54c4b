/** The `p`-th percentile (0-100) of `values` by nearest rank, or undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Differences between consecutive values once sorted: the time each step took when values are step starts. */
export function gaps(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const result: number[] = [];
  for (let i = 1; i < sorted.length; i++) result.push((sorted[i] ?? 0) - (sorted[i - 1] ?? 0));
  return result;
}

/**
 * The p50 of the first `count` and of the last `count` of `stepMs` (in step order), or undefined when there
 * are none; with fewer than 2 × `count` steps the two overlap.
 */
export function flatness(stepMs: readonly number[], count: number): { firstP50Ms: number; lastP50Ms: number } | undefined {
  const first = percentile(stepMs.slice(0, count), 50);
  const last = percentile(stepMs.slice(-count), 50);
  return first === undefined || last === undefined ? undefined : { firstP50Ms: first, lastP50Ms: last };
}
