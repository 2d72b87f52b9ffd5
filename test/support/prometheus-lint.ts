// The rules of `promtool check metrics` that our exposition can break, checked on the raw text: one HELP and one
// TYPE per family, counters and only counters end in _total, base units, snake_case names and labels.
const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NON_BASE_UNITS = /_(milliseconds|microseconds|nanoseconds|minutes|hours|days|ms|us|ns|kilobytes|megabytes|bits|percent)(_|$)/;

export function lintPrometheusText(text: string): string[] {
  const problems: string[] = [];
  const help = new Map<string, number>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ''] = meta as unknown as [string, string, string, string?];
      if (kind === 'HELP') {
        help.set(name, (help.get(name) ?? 0) + 1);
        if (rest.trim() === '') problems.push(`${name}: empty HELP`);
      } else {
        if (type.has(name)) problems.push(`${name}: duplicate TYPE (the family is exposed twice)`);
        type.set(name, rest);
      }
      continue;
    }
    const labels = /^[^{\s]+\{(.*)\}/.exec(line)?.[1];
    for (const label of labels?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g) ?? []) {
      if (/[A-Z]/.test(label[1]!)) problems.push(`${line.split('{')[0]}: label ${label[1]} is camelCase`);
    }
  }
  for (const [name, count] of help) if (count > 1) problems.push(`${name}: duplicate HELP`);
  for (const [name, kind] of type) {
    if (!help.has(name)) problems.push(`${name}: no HELP`);
    if (!NAME.test(name)) problems.push(`${name}: not a valid metric name (colons are for recording rules)`);
    if (/[A-Z]/.test(name)) problems.push(`${name}: camelCase name`);
    if (kind === 'counter' && !name.endsWith('_total')) problems.push(`${name}: counter metrics should have "_total" suffix`);
    if (kind !== 'counter' && name.endsWith('_total')) problems.push(`${name}: non-counter metrics should not have "_total" suffix`);
    if (kind !== 'histogram' && kind !== 'summary' && /_(count|sum|bucket)$/.test(name)) problems.push(`${name}: reserved histogram/summary suffix`);
    if (NON_BASE_UNITS.test(name)) problems.push(`${name}: use base units (seconds, bytes)`);
  }
  return problems;
}
