// The one way to write: `transact(db, async (uow) => …)`. Inside, writers query `uow.tx` and record their side
// effects on the unit (stream events, outbox jobs, console marks, NOTIFYs). The transaction ends with one round trip:
// the outbox jobs, the console marks (those the writer made and the subjects its stream events touched: the
// console-project job's input) and the stream events, appended under the per-topic lock so the stream's order is
// commit order, all sent with the COMMIT. After commit the db's publishers send the rest: outbox rows go straight
// to their queues (fast path, which then marks them enqueued; the relay is the guarantee), NOTIFYs go through a
// coalescing doorbell, and the SSE hubs are rung with the highest new id per (topic, owner).
import { consoleMarksOf } from '../core/console-marks.ts';
import type { StreamDoorbell } from '../queues/sse-fanout.ts';
import { writeConsoleMarks } from './console-marks.ts';
import type { Sql } from './db.ts';
import { createCoalescingDoorbell, createDoorbell, outboxRing, type Doorbell, type Notification } from './doorbell.ts';
import { markOutboxRelayed, writeOutboxJobs, type OutboxRow } from './outbox.ts';
import { appendStreamEventsLocked } from './stream-events.ts';
import { createUnitOfWork, noEffects, type UnitOfWork } from './unit-of-work.ts';

export type { UnitOfWork } from './unit-of-work.ts';

export type OutboxPublisher = (rows: OutboxRow[]) => Promise<void>;

/** Rings every API node's stream hub: one doorbell per (topic, owner), id = highest appended. */
export type StreamPublisher = (doorbells: StreamDoorbell[]) => Promise<void>;

const RELAYED_LINGER_MS = 50;

/** A pool plus the publishers its transactions use after commit; built once per process (platform.ts). */
export interface Db {
  readonly sql: Sql;
  readonly publishOutbox: OutboxPublisher | undefined;
  readonly notify: Doorbell<Notification>;
  readonly stream: Doorbell<StreamDoorbell> | undefined;
  /** Marks the rows the fast path enqueued, so the relay does not add them again (coalesced, after the response). */
  readonly relayed: Doorbell<number>;
  /** After-commit work of `afterCommit: 'background'` transactions still running (doorbellsSettled waits for it). */
  readonly background: Set<Promise<void>>;
}

/**
 * Without `outbox` the relay alone moves outbox rows; without `stream` the hubs see new events on their sweep.
 * Publisher failures are reported to `onError` and cost only latency: the rows are the record.
 */
export function createDb(sql: Sql, publishers: { outbox?: OutboxPublisher; stream?: StreamPublisher; onError?: (error: unknown) => void } = {}): Db {
  const onError = publishers.onError ?? (() => {});
  const publishStream = publishers.stream;
  return {
    sql,
    publishOutbox: publishers.outbox,
    notify: createDoorbell(sql, onError),
    // Bookkeeping only (the relay skips marked rows): one UPDATE per RELAYED_LINGER_MS, not one per commit.
    relayed: createCoalescingDoorbell((ids: number[]) => markOutboxRelayed(sql, ids), onError, { lingerMs: RELAYED_LINGER_MS }),
    background: new Set(),
    // Commits that land while a ring is in flight share the next one: keep only the highest id per (topic, owner).
    stream: publishStream && createCoalescingDoorbell((batch: StreamDoorbell[]) => publishStream(highestPerOwner(batch)), onError),
  };
}

function highestPerOwner(batch: StreamDoorbell[]): StreamDoorbell[] {
  const latest = new Map<string, StreamDoorbell>();
  for (const bell of batch) {
    const key = `${bell.topic}\u0000${bell.owner_id}`;
    if ((latest.get(key)?.id ?? 0) < bell.id) latest.set(key, { topic: bell.topic, owner_id: bell.owner_id, id: bell.id });
  }
  return [...latest.values()];
}

/** Resolves when this db's doorbells have sent everything rung so far (tests, benchmarks). */
export async function doorbellsSettled(db: Db): Promise<void> {
  // Background hand-offs ring the doorbells below when they finish: wait for them first.
  while (db.background.size > 0) await Promise.allSettled([...db.background]);
  await Promise.all([db.notify.settled(), db.stream?.settled(), db.relayed.settled()]);
}

// serialization_failure and deadlock_detected: the transaction was rolled back whole and may simply run again.
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 5;

/**
 * Run `work` in one transaction. A transaction Postgres rolled back as a serialization failure or deadlock runs
 * again from the start (with fresh effects), so `work` must do nothing outside `uow` it cannot repeat.
 */
export interface TransactOptions {
  /**
   * `background`: return as soon as the transaction committed, and hand its outbox rows to BullMQ and ring its
   * doorbells without waiting (the relay backs the hand-off up). For a writer on a latency-critical path whose
   * outbox rows are not needed at once, such as the watchdog job a run's claim schedules.
   */
  afterCommit?: 'await' | 'background';
}

export async function transact<T>(db: Db, work: (uow: UnitOfWork) => Promise<T>, options: TransactOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const effects = noEffects();
    let tail: Promise<[OutboxRow[], OutboxRow[], StreamDoorbell[]]> = Promise.resolve([[], [], []]);
    try {
      const result = (await db.sql.begin(async (tx) => {
        const value = await work(createUnitOfWork(tx, effects));
        // The last statements, sent together with the COMMIT: the per-topic lock the append takes is held for one
        // round trip.
        tail = Promise.all([
          writeOutboxJobs(tx, effects.jobs),
          writeConsoleMarks(tx, [...effects.marks, ...consoleMarksOf(effects.events)]),
          appendStreamEventsLocked(tx, effects.events),
        ]);
        tail.catch(() => undefined); // awaited below, after the commit
        return value;
      })) as T;
      // A failed statement of the tail turned the COMMIT into a rollback: nothing of this transaction was written.
      const [jobs, consoleJobs, appended] = await tail;
      const published = afterCommit(db, [...jobs, ...consoleJobs], effects.notifications, appended);
      if (options.afterCommit === 'background') {
        const running = published.catch(() => undefined);
        db.background.add(running);
        void running.finally(() => db.background.delete(running));
      }
      else await published;
      return result;
    } catch (error) {
      if (attempt >= ATTEMPTS || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
    }
  }
}

async function afterCommit(db: Db, rows: OutboxRow[], notifications: Notification[], appended: StreamDoorbell[]): Promise<void> {
  let published = false;
  if (rows.length > 0 && db.publishOutbox) {
    // A failed fast path only costs latency: the relay enqueues the same rows under the same jobIds.
    published = await db.publishOutbox(rows).then(() => true, () => false);
    if (published) db.relayed.ring(rows.map((row) => row.id));
  }
  // The relay's ring is skipped only when the fast path took every row this transaction wrote.
  db.notify.ring(published || rows.length === 0 ? notifications : [outboxRing, ...notifications]);
  db.stream?.ring(appended.map((row) => ({ topic: row.topic, owner_id: row.owner_id, id: row.id })));
}
