// Renders rows as an aligned text table, the default output of every read command.
type Cell = string | number | boolean | null | undefined | Date;

function format(value: Cell | unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function renderTable(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => columns.map((column) => format(row[column]).replace(/\s+/g, ' ')));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((line) => (line[index] ?? '').length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  return [line(columns.map((column) => column.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

/** One record as `key  value` lines. */
export function renderRecord(record: Record<string, unknown>, keys: string[] = Object.keys(record)): string {
  const width = Math.max(...keys.map((key) => key.length));
  return keys.map((key) => `${key.padEnd(width)}  ${format(record[key])}`).join('\n') + '\n';
}
