/** Throws unless a workload's result is the number it must be: a benchmark of wrong work measures nothing. */
export function expectResult(actual: unknown, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${String(actual)}`);
}
