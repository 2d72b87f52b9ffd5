// Renders rows as an aligned text table, the default output of every read command. Given a terminal width
// (stdout is a TTY), the widest columns shrink until the table fits and cut cells end with an ellipsis;
// without one (piped, --json) nothing is cut.
type Cell = string | number | boolean | null | undefined | Date;

function format(value: Cell | unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `text` cut to `width` characters, the last one an ellipsis when something was cut. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Column widths that fit `available` (two spaces between columns), shrinking the widest first, never below `minimums`. */
export function fitWidths(widths: number[], minimums: number[], available: number): number[] {
  const fitted = [...widths];
  let total = fitted.reduce((sum, width) => sum + width, 0) + 2 * (fitted.length - 1);
  while (total > available) {
    let widest = -1;
    fitted.forEach((width, index) => {
      if (width > (minimums[index] ?? 0) && (widest < 0 || width > (fitted[widest] ?? 0))) widest = index;
    });
    if (widest < 0) break;
    fitted[widest] = (fitted[widest] ?? 0) - 1;
    total -= 1;
  }
  return fitted;
}

export function renderTable(rows: Record<string, unknown>[], columns: string[], width?: number): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => columns.map((column) => format(row[column]).replace(/\s+/g, ' ')));
  const natural = columns.map((column, index) => Math.max(column.length, ...cells.map((line) => (line[index] ?? '').length)));
  const widths = width === undefined ? natural : fitWidths(natural, columns.map((column, index) => Math.min(natural[index] ?? 0, Math.max(column.length, 4))), width);
  const line = (values: string[]) => values.map((value, index) => truncate(value, widths[index] ?? 0).padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  return [line(columns.map((column) => column.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

/** One record as `key  value` lines; with a width, long values are cut to fit. */
export function renderRecord(record: Record<string, unknown>, keys: string[] = Object.keys(record), width?: number): string {
  const keyWidth = Math.max(...keys.map((key) => key.length));
  const room = width === undefined ? Infinity : Math.max(8, width - keyWidth - 2);
  return keys.map((key) => `${key.padEnd(keyWidth)}  ${truncate(format(record[key]).replace(/\n/g, ' '), room)}`.trimEnd()).join('\n') + '\n';
}
