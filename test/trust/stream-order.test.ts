import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreRecomputeQueue } from '../../queues/score-recompute.ts';
import type { StreamDoorbell } from '../../queues/sse-fanout.ts';
import { readStreamEvents, type StreamEvent } from '../../sql/stream-events.ts';
import { createDb, doorbellsSettled, transact, type Db } from '../../sql/transact.ts';
import { applyTrustEvent } from '../../sql/trust-registry.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { appendsSeen, failStreamAppends } from '../support/faults.ts';
import { seedInstance } from './fixtures.ts';

let db: TestDatabase;
let writer: Db;
const rung: StreamDoorbell[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  writer = createDb(db.sql, { stream: async (doorbells) => void rung.push(...doorbells) });
});
afterAll(() => db.drop());

const event = (owner: string, i: number) => ({ topic: 'trust-registry' as const, owner_id: owner, subject_id: String(i), event: 'test', payload: { i } });

/** A tailing reader that only ever asks for ids above the last one it saw, like the stream hub. */
async function tail(owner: string, writing: Promise<unknown>): Promise<StreamEvent[]> {
  const seen: StreamEvent[] = [];
  let done = false;
  void writing.finally(() => (done = true));
  for (;;) {
    const finished = done;
    const rows = await readStreamEvents(db.sql, { topic: 'trust-registry', ownerId: owner, afterId: seen.at(-1)?.id ?? 0, limit: 1000 });
    seen.push(...rows);
    if (finished && rows.length === 0) return seen;
  }
}

describe("stream events appended inside writers' transactions", () => {
  it('become visible in id order under 40 concurrent writers, so a tailing reader misses none', async () => {
    const writers = Array.from({ length: 40 }, (_, i) =>
      transact(writer, async (uow) => {
        await uow.tx`SELECT pg_sleep(${(i % 5) / 1000})`;
        uow.emit(event('order', i), `tx-${i}`);
      }),
    );
    const seen = await tail('order', Promise.all(writers));
    const all = await readStreamEvents(db.sql, { topic: 'trust-registry', ownerId: 'order', afterId: 0, limit: 1000 });
    expect(all).toHaveLength(40);
    expect(seen.map((row) => row.id)).toEqual(all.map((row) => row.id));
  });

  it('survive transient append failures: the writer runs again, each event is appended once and readers miss none', async () => {
    const restore = await failStreamAppends(db.sql, { topic: 'trust-registry', failing: [3, 10, 11, 25, 40] });
    try {
      // Each writer emits two events of one subject; they must stay adjacent-in-order however the retries fall.
      const writers = Array.from({ length: 30 }, (_, i) =>
        transact(writer, async (uow) => {
          uow.emit({ ...event('faults', i), event: 'first' });
          uow.emit({ ...event('faults', i), event: 'second' });
        }),
      );
      const seen = await tail('faults', Promise.all(writers));
      // Every failed attempt drew numbers too: the trigger saw more rows than were appended.
      expect(await appendsSeen(db.sql)).toBeGreaterThan(60);
      expect(seen).toHaveLength(60);
      expect(seen.map((row) => row.id)).toEqual([...seen.map((row) => row.id)].sort((a, b) => a - b));
      for (let i = 0; i < 30; i++) expect(seen.filter((row) => row.subject_id === String(i)).map((row) => row.event)).toEqual(['first', 'second']);
    } finally {
      await restore();
    }
  });

  it('rings the hubs once per batch with the highest id, and appends a repeated dedupe key once', async () => {
    rung.length = 0;
    const { vmInstanceId } = await seedInstance(db.sql, 'ring');
    const result = await transact(writer, (uow) => applyTrustEvent(uow, { ownerId: 'ring', vmInstanceId, event: { kind: 'operator', target: 'quarantined' }, actor: 't' }));
    await doorbellsSettled(writer);
    const [row] = await db.sql<StreamEvent[]>`SELECT * FROM stream_events WHERE dedupe_key = ${`trust-history-${result.history.id}`}`;
    expect(row?.payload).toMatchObject({ history_id: result.history.id, lifecycle_state: 'quarantined' });
    expect(rung).toEqual([{ topic: 'trust-registry', owner_id: 'ring', id: row!.id }]);
    expect(await db.sql`SELECT 1 FROM outbox WHERE queue = 'sse-fanout'`).toHaveLength(0);
    await transact(writer, async (uow) => uow.emit(event('ring', 0), `trust-history-${result.history.id}`));
    expect(await db.sql`SELECT 1 FROM stream_events WHERE dedupe_key = ${`trust-history-${result.history.id}`}`).toHaveLength(1);
  });

  it('appends what a savepoint emitted in the outer transaction, and nothing of a savepoint that rolled back', async () => {
    const { vmInstanceId } = await seedInstance(db.sql, 'nested');
    const move = (target: 'quarantined' | 'remediating') => ({ ownerId: 'nested', vmInstanceId, event: { kind: 'operator' as const, target }, actor: 't' });
    await transact(writer, async (uow) => {
      uow.emit(event('nested', 1), 'outer-before');
      await uow.savepoint((sp) => applyTrustEvent(sp, move('quarantined')));
      await uow.savepoint(async (sp) => {
        sp.emit(event('nested', 2), 'rolled-back');
        await sp.enqueue(scoreRecomputeQueue, { server_id: 1, owner_id: 'nested', reason: 'x' });
        throw new Error('savepoint fails');
      }).catch(() => undefined);
      await uow.savepoint((sp) => applyTrustEvent(sp, move('remediating')));
      uow.emit(event('nested', 3), 'outer-after');
    });
    const rows = await readStreamEvents(db.sql, { topic: 'trust-registry', ownerId: 'nested', afterId: 0, limit: 100 });
    expect(rows.map((row) => (row.event === 'test' ? row.payload.i : row.payload.lifecycle_state))).toEqual([1, 'quarantined', 'remediating', 3]);
    expect(await db.sql`SELECT 1 FROM outbox WHERE queue = 'score-recompute' AND payload->>'owner_id' = 'nested'`).toHaveLength(0);
  });
});
