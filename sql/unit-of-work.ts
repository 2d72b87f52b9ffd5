// What a writer holds inside `transact()`: the transaction plus the three side effects a commit may carry —
// stream events (appended in this transaction, as its last statement), outbox jobs and NOTIFYs. A savepoint gets
// its own unit whose effects join the outer one only if the savepoint is released, so a rolled-back savepoint
// leaves no event, job or notification behind.
import { randomUUID } from 'node:crypto';
import type { JobData, QueueDefinition } from '../queues/define-queue.ts';
import type { TransactionSql } from './db.ts';
import type { Notification } from './doorbell.ts';
import { writeOutbox, writeOutboxMany, type OutboxOptions, type OutboxRow } from './outbox.ts';
import type { NewStreamEvent } from './stream-events.ts';

export interface UnitOfWork {
  /** The open transaction (or savepoint): run every query of this unit on it. */
  readonly tx: TransactionSql;
  /**
   * Append `event` to the stream log in this transaction (at its end, under the per-topic lock): it becomes
   * visible exactly when the writer's changes do, and stream order is commit order. A repeated `dedupeKey` is
   * appended once.
   */
  emit(event: NewStreamEvent, dedupeKey?: string): void;
  /** Write an outbox job in this transaction; it reaches its queue only if the transaction commits. */
  enqueue<D extends QueueDefinition>(definition: D, data: JobData<D>, options?: OutboxOptions): Promise<number>;
  /** Many jobs of one queue in one statement (batched writers). */
  enqueueMany<D extends QueueDefinition>(definition: D, jobs: { data: JobData<D>; options?: OutboxOptions }[]): Promise<number[]>;
  /** NOTIFY after commit (coalesced with other transactions' doorbells). */
  notify(notification: Notification): void;
  /** Run `work` in a savepoint; its effects are kept only if it succeeds. */
  savepoint<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
}

/** The effects a unit collected, handed over at commit. */
export interface Effects {
  events: (NewStreamEvent & { dedupe_key: string })[];
  rows: OutboxRow[];
  notifications: Notification[];
}

export const noEffects = (): Effects => ({ events: [], rows: [], notifications: [] });

export function createUnitOfWork(tx: TransactionSql, effects: Effects): UnitOfWork {
  return {
    tx,
    emit(event, dedupeKey) {
      effects.events.push({ ...event, dedupe_key: dedupeKey ?? `uow-${randomUUID()}` });
    },
    async enqueue(definition, data, options = {}) {
      const row = await writeOutbox(tx, definition, data, options);
      effects.rows.push(row);
      return row.id;
    },
    async enqueueMany(definition, jobs) {
      const rows = await writeOutboxMany(tx, definition, jobs);
      effects.rows.push(...rows);
      return rows.map((row) => row.id);
    },
    notify(notification) {
      effects.notifications.push(notification);
    },
    async savepoint(work) {
      const inner = noEffects();
      const value = (await tx.savepoint((sp) => work(createUnitOfWork(sp, inner)))) as Awaited<ReturnType<typeof work>>;
      effects.events.push(...inner.events);
      effects.rows.push(...inner.rows);
      effects.notifications.push(...inner.notifications);
      return value;
    },
  };
}
