// Group commit as a specification: a lone item flushes at once, items arriving during a flush share the next one
// (at most maxGroup), a full backlog may run up to maxInFlight flushes, and failures reach exactly their callers.
import { describe, expect, it } from 'vitest';
import { createGroupCommit, type ItemResult } from '../../core/group-commit.ts';

/** A flush whose completion the test controls: each call is recorded and waits for release(). */
function gatedFlush() {
  const calls: { items: number[]; release: (results?: ItemResult<string>[] | Error) => void }[] = [];
  const flush = (items: number[]) =>
    new Promise<ItemResult<string>[]>((resolve, reject) => {
      calls.push({
        items,
        release: (results) => (results instanceof Error ? reject(results) : resolve(results ?? items.map((item) => ({ ok: true, value: `done-${item}` })))),
      });
    });
  return { calls, flush };
}

describe('createGroupCommit', () => {
  it('flushes a lone item at once and groups the items that arrive meanwhile', async () => {
    const { calls, flush } = gatedFlush();
    const group = createGroupCommit(flush, { maxGroup: 10, maxInFlight: 1 });
    const first = group.submit(1);
    const rest = [2, 3, 4].map((item) => group.submit(item));
    expect(calls.map((call) => call.items)).toEqual([[1]]);
    calls[0]!.release();
    expect(await first).toBe('done-1');
    await Promise.resolve();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.release();
    expect(await Promise.all(rest)).toEqual(['done-2', 'done-3', 'done-4']);
  });

  it('caps a group at maxGroup and starts more flushes only for full groups', async () => {
    const { calls, flush } = gatedFlush();
    const group = createGroupCommit(flush, { maxGroup: 3, maxInFlight: 2 });
    const all = Array.from({ length: 8 }, (_, index) => group.submit(index));
    // The first flushed alone; seven waited: one more full group may start, the remaining four wait.
    expect(calls.map((call) => call.items)).toEqual([[0], [1, 2, 3]]);
    calls[0]!.release();
    calls[1]!.release();
    await new Promise((resolve) => setImmediate(resolve));
    // Four waited: a full group starts; the partial rest waits until nothing is in flight.
    expect(calls.slice(2).map((call) => call.items)).toEqual([[4, 5, 6]]);
    calls[2]!.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.slice(3).map((call) => call.items)).toEqual([[7]]);
    calls[3]!.release();
    expect(await Promise.all(all)).toEqual(Array.from({ length: 8 }, (_, index) => `done-${index}`));
  });

  it('rejects only the item a flush refused, and the whole group when the flush fails', async () => {
    const { calls, flush } = gatedFlush();
    const group = createGroupCommit(flush, { maxGroup: 10, maxInFlight: 1 });
    const lone = group.submit(0);
    const pair = [group.submit(1), group.submit(2)];
    calls[0]!.release(new Error('connection lost'));
    await expect(lone).rejects.toThrow('connection lost');
    await Promise.resolve();
    calls[1]!.release([{ ok: true, value: 'kept' }, { ok: false, error: new Error('no such instance') }]);
    expect(await pair[0]).toBe('kept');
    await expect(pair[1]).rejects.toThrow('no such instance');
  });

  it('rejects every item when a flush answers fewer results than items', async () => {
    const group = createGroupCommit(async () => [] as ItemResult<string>[], { maxGroup: 10, maxInFlight: 1 });
    await expect(group.submit(1)).rejects.toThrow('answered 0 results for 1 items');
  });
});
