import { FIGURES, ratios, type BenchResult } from './result.js';

function cell(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** The results side by side, one figure a row, with redflow/BullMQ ratios when both ran. */
export function formatTable(title: string, results: readonly BenchResult[]): string {
  const [first, second] = results;
  const headers = ['figure', ...results.map((r) => r.system), ...(first && second ? [`${first.system}/${second.system}`] : [])];
  const ratio = first && second ? ratios(first, second) : undefined;
  // A figure no system has for this workload (a sleepers figure on a chain, say) is left out.
  const shown = FIGURES.filter((figure) => results.some((r) => r[figure] !== null && r[figure] !== undefined));
  const rows = shown.map((figure) => [figure, ...results.map((r) => cell(r[figure])), ...(ratio ? [cell(ratio[figure])] : [])]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string => row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const busiest = results.map((r) => `${r.system} commands sent: ${topCommands(r.redisCalls)}`);
  return [title, line(headers), ...rows.map(line), ...busiest].join('\n');
}

function topCommands(calls: Record<string, number>, count = 6): string {
  return Object.entries(calls)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}
