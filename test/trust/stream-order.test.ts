import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendStreamEvent, readStreamEvents, type StreamEvent } from '../../sql/stream-events.ts';
import { afterCommit, doorbellsSettled, setStreamPublisher, transact } from '../../sql/transact.ts';
import { applyTrustEvent } from '../../sql/trust-registry.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedInstance } from './fixtures.ts';

let db: TestDatabase;
const rung: { topic: string; owner_id: string; id: number }[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  setStreamPublisher(db.sql, async (doorbells) => void rung.push(...doorbells));
});
afterAll(() => db.drop());

const event = (i: number) => ({ topic: 'trust-registry' as const, owner_id: 'order', subject_id: String(i), event: 'test', payload: { i } });

/** A tailing reader that only ever asks for ids above the last one it saw, like the stream hub. */
async function tail(total: number, writing: Promise<unknown>): Promise<StreamEvent[]> {
  const seen: StreamEvent[] = [];
  let done = false;
  void writing.finally(() => (done = true));
  for (;;) {
    const finished = done;
    const rows = await readStreamEvents(db.sql, { topic: 'trust-registry', ownerId: 'order', afterId: seen.at(-1)?.id ?? 0, limit: 1000 });
    seen.push(...rows);
    if (finished && rows.length === 0) return seen;
    if (seen.length > total) return seen;
  }
}

describe('stream events appended inside writers\' transactions', () => {
  it('become visible in id order under 40 concurrent writers of both kinds, so a tailing reader misses none', async () => {
    const writers = Array.from({ length: 40 }, (_, i) =>
      i % 4 === 0
        ? appendStreamEvent(db.sql, event(i), `direct-${i}`)
        : transact(db.sql, async (tx) => {
            await tx`SELECT pg_sleep(${(i % 5) / 1000})`;
            afterCommit(tx)?.stream?.(event(i), `tx-${i}`);
          }),
    );
    const seen = await tail(40, Promise.all(writers));
    const all = await readStreamEvents(db.sql, { topic: 'trust-registry', ownerId: 'order', afterId: 0, limit: 1000 });
    expect(all).toHaveLength(40);
    expect(seen.map((row) => row.id)).toEqual(all.map((row) => row.id));
  });

  it('rings the hubs once per batch with the highest id, and appends a repeated dedupe key once', async () => {
    rung.length = 0;
    const { vmInstanceId } = await seedInstance(db.sql, 'ring');
    const result = await transact(db.sql, (tx) => applyTrustEvent(tx, { ownerId: 'ring', vmInstanceId, event: { kind: 'operator', target: 'quarantined' }, actor: 't' }));
    await doorbellsSettled(db.sql);
    const [row] = await db.sql<StreamEvent[]>`SELECT * FROM stream_events WHERE dedupe_key = ${`trust-history-${result.history.id}`}`;
    expect(row?.payload).toMatchObject({ history_id: result.history.id, lifecycle_state: 'quarantined' });
    expect(rung).toEqual([{ topic: 'trust-registry', owner_id: 'ring', id: row!.id }]);
    const fanout = await db.sql`SELECT 1 FROM outbox WHERE queue = 'sse-fanout' AND payload->>'subject_id' = ${String(vmInstanceId)}`;
    expect(fanout).toHaveLength(0);
    await transact(db.sql, async (tx) => afterCommit(tx)?.stream?.({ ...event(0), owner_id: 'ring' }, `trust-history-${result.history.id}`));
    expect(await db.sql`SELECT 1 FROM stream_events WHERE dedupe_key = ${`trust-history-${result.history.id}`}`).toHaveLength(1);
  });
});
