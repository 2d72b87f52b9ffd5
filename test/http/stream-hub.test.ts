import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamHub, type StreamClient } from '../../http/stream-hub.ts';
import { everyEvent, type StreamRun, type StreamView } from '../../http/stream-run.ts';
import { createRedis } from '../../queues/redis.ts';
import type { StreamEvent } from '../../sql/stream-events.ts';
import { REDIS_URL } from '../support/env.ts';
import { waitFor } from '../support/wait.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** A client that takes everything (or its view's events) and resolves `done` once it holds `want` events. */
function client(ownerId: string, options: { lastId?: number; subjectId?: string; want?: number; view?: StreamView } = {}) {
  const received: StreamEvent[] = [];
  const runs: StreamRun[] = [];
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const stream: StreamClient = {
    topic: 'lifecycle',
    ownerId,
    lastId: options.lastId ?? 0,
    ...(options.subjectId === undefined ? {} : { subjectId: options.subjectId }),
    view: options.view ?? everyEvent,
    deliver(run, from) {
      runs.push(run);
      received.push(...run.rows.slice(from));
      if (options.want !== undefined && received.length >= options.want) finish();
      return run.rows.length;
    },
    full: () => false,
    buffered: () => 0,
    onDrain: () => {},
    drop: () => {},
    closed: () => false,
  };
  return { stream, received, runs, done };
}

async function withHub(work: (hub: Awaited<ReturnType<typeof createStreamHub>>) => Promise<void>) {
  const subscriber = createRedis(REDIS_URL, 'subscriber');
  const hub = await createStreamHub({ sql: db.sql, subscriber, prefix: 'hub-test', logger: pino({ level: process.env.HUB_LOG ?? 'silent' }), sweepMs: 60_000, maxBufferedBytes: 1 << 20 });
  try {
    await work(hub);
  } finally {
    await hub.close();
    subscriber.disconnect();
  }
}

describe('stream hub', () => {
  it('forgets a group whose last client leaves while its catch-up is still running', async () => {
    await withHub(async (hub) => {
      // add() starts a catch-up at once, so leaving straight away leaves while it runs.
      const leave = hub.add(client('leaver').stream);
      leave();
      const stay = hub.add(client('stayer').stream);
      await hub.close();
      expect(hub.groupCount()).toBe(1);
      stay();
      expect(hub.groupCount()).toBe(0);
    });
  });

  it("catches a one-subject client up from its subject's rows only, beside an owner-wide client", async () => {
    // 20,000 events of one owner, 4 of them for subject `run-7`, spread through the log.
    await db.sql`
      INSERT INTO stream_events (topic, owner_id, subject_id, event, payload, dedupe_key)
      SELECT 'lifecycle', 'busy', CASE WHEN i % 5000 = 0 THEN 'run-7' ELSE 'other-' || (i % 97) END, 'tick', jsonb_build_object('i', i), 'hub-busy-' || i
      FROM generate_series(1, 20000) AS i`;
    const [row] = await db.sql<{ head: number }[]>`SELECT max(id) AS head FROM stream_events`;
    const head = row?.head ?? 0;
    await withHub(async (hub) => {
      const ownerWide = client('busy', { lastId: head });
      const oneRun = client('busy', { subjectId: 'run-7', want: 4 });
      hub.add(ownerWide.stream);
      hub.add(oneRun.stream);
      await oneRun.done;
      await hub.close();
      expect(oneRun.received.map((event) => event.payload.i)).toEqual([5000, 10000, 15000, 20000]);
      expect(ownerWide.received).toEqual([]);
      expect(hub.stats().rowsRead).toBe(4);
    });
  });

  it('catches a resuming client up alone from its own cursor, and lets a client at the head join a level group without a read', async () => {
    const ids = await db.sql<{ id: number }[]>`
      INSERT INTO stream_events (topic, owner_id, subject_id, event, payload, dedupe_key)
      SELECT 'lifecycle', 'joiner', 's', 'tick', jsonb_build_object('i', i), 'hub-join-' || i FROM generate_series(1, 10) AS i
      RETURNING id`;
    const head = ids.at(-1)!.id;
    await withHub(async (hub) => {
      const settled = () => waitFor(async () => hub.stats(), (stats) => stats.catchingUp === 0, { what: 'catch-ups settled' });
      const atHead = client('joiner', { lastId: head });
      hub.add(atHead.stream);
      await settled();
      const before = hub.stats();
      const resuming = client('joiner', { lastId: ids[4]!.id, want: 5 });
      hub.add(resuming.stream);
      await resuming.done;
      await settled();
      expect(resuming.received.map((event) => event.payload.i)).toEqual([6, 7, 8, 9, 10]);
      expect(atHead.received).toEqual([]);
      // Its own reads only: the five rows it missed, nothing re-read for the client already at the head.
      expect(hub.stats().rowsRead - before.rowsRead).toBe(5);
      const reads = hub.stats().reads;
      const late = client('joiner', { lastId: head });
      hub.add(late.stream);
      expect(hub.stats()).toMatchObject({ reads, catchingUp: 0, clients: 3, groups: 1 });
    });
  });

  it('filters and frames an event once per view, however many clients share the view, and writes them all the same bytes', async () => {
    const [row] = await db.sql<{ head: number }[]>`SELECT coalesce(max(id), 0)::int AS head FROM stream_events`;
    const calls = { even: 0 };
    const even: StreamView = { key: 'even', matches: (event) => (calls.even++, Number(event.payload.i) % 2 === 0), frame: everyEvent.frame };
    const evens = Array.from({ length: 3 }, () => client('viewer', { lastId: row!.head, view: even, want: 3 }));
    const all = client('viewer', { lastId: row!.head, want: 6 });
    await withHub(async (hub) => {
      for (const each of [...evens, all]) hub.add(each.stream);
      await waitFor(async () => hub.stats(), (stats) => stats.catchingUp === 0, { what: 'clients level' });
      await db.sql`
        INSERT INTO stream_events (topic, owner_id, subject_id, event, payload, dedupe_key)
        SELECT 'lifecycle', 'viewer', 's', 'tick', jsonb_build_object('i', i), 'hub-view-' || i FROM generate_series(1, 6) AS i`;
      hub.sweep();
      await Promise.all([...evens, all].map((each) => each.done));
    });
    for (const each of evens) expect(each.received.map((event) => event.payload.i)).toEqual([2, 4, 6]);
    expect(all.received.map((event) => event.payload.i)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(calls.even).toBe(6);
    expect(new Set(evens.flatMap((each) => each.runs.map((run) => run.bytes.chunk))).size).toBe(1);
    expect(all.runs[0]!.bytes.body.toString()).toContain('data: {"i":1}');
  });
});
