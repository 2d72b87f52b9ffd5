// transact() against a real Postgres: the outbox jobs, console marks and stream append are pipelined with the
// COMMIT, so a failing one must still roll the whole transaction back and reject; and a transaction that wrote no outbox row never rings the
// outbox relay's doorbell.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../../sql/db.ts';
import { OUTBOX_CHANNEL } from '../../sql/outbox.ts';
import { sseFanoutQueue } from '../../queues/sse-fanout.ts';
import { createDb, doorbellsSettled, transact } from '../../sql/transact.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql`CREATE TABLE transact_probe (id int PRIMARY KEY)`;
});
afterAll(() => db.drop());

const event = (subject: string) => ({ topic: 'trust-registry' as const, owner_id: 'acme', subject_id: subject, event: 'probe', payload: {} });

describe('transact', () => {
  it('commits the writer\'s rows and its stream events together', async () => {
    const rows = await transact(createDb(db.sql), async (uow) => {
      await uow.tx`INSERT INTO transact_probe (id) VALUES (1)`;
      uow.emit(event('one'));
      return 'done';
    });
    expect(rows).toBe('done');
    expect(await db.sql`SELECT id FROM transact_probe`).toEqual([{ id: 1 }]);
    expect(await db.sql`SELECT subject_id FROM stream_events WHERE event = 'probe'`).toEqual([{ subject_id: 'one' }]);
  });

  it('rolls everything back and rejects when the pipelined stream append fails', async () => {
    const failing = transact(createDb(db.sql), async (uow) => {
      await uow.tx`INSERT INTO transact_probe (id) VALUES (2)`;
      uow.emit({ ...event('two'), owner_id: null as never }); // NOT NULL violation in the append
    });
    await expect(failing).rejects.toMatchObject({ code: '23502' });
    expect(await db.sql`SELECT id FROM transact_probe WHERE id = 2`).toEqual([]);
    expect(await db.sql`SELECT subject_id FROM stream_events WHERE subject_id = 'two'`).toEqual([]);
    // The connection is usable afterwards: the next transaction commits.
    await transact(createDb(db.sql), async (uow) => {
      await uow.tx`INSERT INTO transact_probe (id) VALUES (3)`;
    });
    expect(await db.sql`SELECT id FROM transact_probe WHERE id = 3`).toEqual([{ id: 3 }]);
  });

  it('writes the outbox jobs, console marks and stream events with the COMMIT, and rolls back whole when a job fails', async () => {
    const written = transact(createDb(db.sql), async (uow) => {
      await uow.tx`INSERT INTO transact_probe (id) VALUES (4)`;
      uow.enqueue(sseFanoutQueue, { doorbells: [{ topic: 'trust-registry', owner_id: 'tail', id: 1 }] });
      uow.mark([{ owner_id: 'tail', kind: 'workspace', subject_id: 4 }]);
      uow.emit({ ...event('four'), owner_id: 'tail' });
    });
    await written;
    // The fresh mark wrote its owner's console-project job beside the writer's own job, in the order written.
    expect(await db.sql`SELECT queue FROM outbox WHERE payload->>'owner_id' = 'tail' OR payload->'doorbells'->0->>'owner_id' = 'tail' ORDER BY id`).toEqual([
      { queue: 'sse-fanout' },
      { queue: 'console-project' },
    ]);
    expect(await db.sql`SELECT kind, subject_id FROM lifecycle_console_dirty WHERE owner_id = 'tail'`).toEqual([{ kind: 'workspace', subject_id: 4 }]);
    // A job its queue's schema takes but Postgres refuses (jsonb has no \u0000): the COMMIT behind it is a rollback.
    const failing = transact(createDb(db.sql), async (uow) => {
      await uow.tx`INSERT INTO transact_probe (id) VALUES (5)`;
      uow.enqueue(sseFanoutQueue, { doorbells: [{ topic: 'trust-registry', owner_id: 'nul\u0000', id: 1 }] });
      uow.emit({ ...event('five'), owner_id: 'tail' });
    });
    await expect(failing).rejects.toMatchObject({ code: '22P05' });
    expect(await db.sql`SELECT id FROM transact_probe WHERE id = 5`).toEqual([]);
    expect(await db.sql`SELECT subject_id FROM stream_events WHERE subject_id = 'five'`).toEqual([]);
    // A payload its schema refuses throws at the call, before anything is sent.
    const refused = transact(createDb(db.sql), async (uow) => {
      uow.enqueue(sseFanoutQueue, { doorbells: 'none' } as never);
    });
    await expect(refused).rejects.toMatchObject({ name: 'ZodError' });
  });

  it('rings the outbox doorbell only for a transaction that wrote outbox rows', async () => {
    const listener = createSql(db.url, { max: 1 });
    const heard: string[] = [];
    let sentinel: () => void = () => {};
    const done = new Promise<void>((resolve) => (sentinel = resolve));
    await listener.listen(OUTBOX_CHANNEL, (payload) => {
      heard.push(payload);
      if (payload === 'sentinel') sentinel();
    });
    // A db without the fast path: a transaction with outbox rows must ring the relay.
    const plain = createDb(db.sql);
    await transact(plain, async (uow) => {
      uow.emit(event('no-outbox'));
      uow.notify({ channel: 'some_other_channel', payload: 'x' });
    });
    await doorbellsSettled(plain);
    // Notifications from one session arrive in order: the sentinel comes after anything rung above.
    await db.sql`SELECT pg_notify(${OUTBOX_CHANNEL}, 'sentinel')`;
    await done;
    expect(heard).toEqual(['sentinel']);
    await listener.end();
  });

  it('returns at commit with afterCommit: background, and still hands the outbox rows over', async () => {
    let release: () => void = () => {};
    const handedOver: number[][] = [];
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = createDb(db.sql, {
      outbox: async (rows) => {
        await gate;
        handedOver.push(rows.map((row) => row.id));
      },
    });
    const write = (id: number) => async (uow: Parameters<Parameters<typeof transact>[1]>[0]) => {
      await uow.tx`INSERT INTO transact_probe (id) VALUES (${id})`;
      uow.enqueue(sseFanoutQueue, { doorbells: [{ topic: 'trust-registry', owner_id: 'acme', id }] });
    };
    const outboxIdOf = async (id: number) => (await db.sql<{ id: number }[]>`SELECT id FROM outbox WHERE (payload->'doorbells'->0->>'id')::int = ${id}`)[0]?.id;
    let awaitedBack = false;
    const awaited = transact(slow, write(10)).finally(() => (awaitedBack = true));
    await transact(slow, write(11), { afterCommit: 'background' });
    // The background writer is back while the hand-off is still held; the awaiting one is not.
    expect(handedOver).toEqual([]);
    expect(awaitedBack).toBe(false);
    expect(await db.sql`SELECT id FROM transact_probe WHERE id = 11`).toEqual([{ id: 11 }]);
    release();
    await awaited;
    await doorbellsSettled(slow);
    await expect.poll(() => handedOver.flat().sort()).toEqual([await outboxIdOf(10), await outboxIdOf(11)].sort());
  });
});
