// Pure pieces of the CLI output: tables fitted to a terminal width, reconnect backoff, the SSE `retry:` field.
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../cli/backoff.ts';
import { renderRecord, renderTable } from '../../cli/render.ts';
import { createSseParser } from '../../cli/sse-frames.ts';

const rows = [{ id: 1, name: 'search', detail: 'a long explanation that does not fit on a narrow terminal at all' }];

describe('tables', () => {
  it('fit the terminal width, cutting the widest cells with an ellipsis', () => {
    const table = renderTable(rows, ['id', 'name', 'detail'], 40);
    for (const line of table.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(table).toMatch(/^1\s+search\s+a long explanation.*…$/m);
  });

  it('are never cut without a width (piped output); a record cuts long values to one', () => {
    expect(renderTable(rows, ['id', 'name', 'detail'])).toContain('on a narrow terminal at all');
    expect(renderRecord(rows[0]!, undefined, 30)).toContain('detail  a long explanation th…\n');
  });
});

describe('reconnect backoff', () => {
  it.each([
    [1, 1, 2000],
    [3, 1, 8000],
    [10, 1, 30_000],
    [3, 0, 4000],
  ])('attempt %i with jitter %f waits %i ms from a 2 s base, capped at 30 s', (attempt, random, expected) => {
    expect(backoffDelay(2000, attempt, 30_000, () => random)).toBe(expected);
  });
});

describe('the SSE parser', () => {
  it("tells the server's retry: field, and yields frames as before", () => {
    const told: number[] = [];
    const frames = createSseParser((ms) => told.push(ms))('retry: 2000\n\nid: 1\nevent: x\ndata: {"a":1}\n\n');
    expect(told).toEqual([2000]);
    expect(frames).toEqual([{ id: '1', event: 'x', data: { a: 1 } }]);
  });
});
