/**
 * Lays `rows` out under `headers` as left-aligned columns two spaces apart, one line per row (trailing spaces
 * trimmed). A cell holds one line: line breaks and tabs in a value become spaces.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const clean = (cell: string): string => cell.replace(/[\t\r\n]+/g, ' ');
  const all = [headers.map(clean), ...rows.map((row) => row.map(clean))];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Lays out `label: value` pairs with the values aligned; pairs whose value is undefined are left out. */
export function renderFields(fields: ReadonlyArray<readonly [string, string | undefined]>): string[] {
  const shown = fields.filter((field): field is readonly [string, string] => field[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value.replace(/[\t\r\n]+/g, ' ')}`);
}
