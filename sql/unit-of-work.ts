// What a writer holds inside `transact()`: the transaction plus the side effects a commit may carry — stream
// events, outbox jobs and console marks (all three written with the transaction's last statements, in one round
// trip with its COMMIT) and NOTIFYs (after commit). A savepoint gets its own unit whose effects join the outer one
// only if the savepoint is released, so a rolled-back savepoint leaves no event, job, mark or notification behind.
import { randomUUID } from 'node:crypto';
import type { ConsoleMark } from '../core/console-marks.ts';
import type { JobData, QueueDefinition } from '../queues/define-queue.ts';
import type { TransactionSql } from './db.ts';
import type { Notification } from './doorbell.ts';
import { outboxJob, type OutboxJob, type OutboxOptions } from './outbox.ts';
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
  /**
   * Write an outbox job in this transaction (with its last statements; the payload is checked now and a bad one
   * throws); it reaches its queue only if the transaction commits.
   */
  enqueue<D extends QueueDefinition>(definition: D, data: JobData<D>, options?: OutboxOptions): void;
  /** Many jobs of one queue (batched writers). */
  enqueueMany<D extends QueueDefinition>(definition: D, jobs: { data: JobData<D>; options?: OutboxOptions }[]): void;
  /**
   * Mark console subjects this transaction changed (with its last statements; sql/console-marks.ts). The subjects of
   * its stream events are marked without asking; a writer marks here what it changed without an event.
   */
  mark(marks: ConsoleMark[]): void;
  /** NOTIFY after commit (coalesced with other transactions' doorbells). */
  notify(notification: Notification): void;
  /** Run `work` in a savepoint; its effects are kept only if it succeeds. */
  savepoint<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
}

/** The effects a unit collected, handed over at commit. */
export interface Effects {
  events: (NewStreamEvent & { dedupe_key: string })[];
  /** Outbox jobs not written yet (transact() writes them at the end). */
  jobs: OutboxJob[];
  marks: ConsoleMark[];
  notifications: Notification[];
}

export const noEffects = (): Effects => ({ events: [], jobs: [], marks: [], notifications: [] });

export function createUnitOfWork(tx: TransactionSql, effects: Effects): UnitOfWork {
  return {
    tx,
    emit(event, dedupeKey) {
      effects.events.push({ ...event, dedupe_key: dedupeKey ?? `uow-${randomUUID()}` });
    },
    enqueue(definition, data, options = {}) {
      effects.jobs.push(outboxJob(definition, data, options));
    },
    enqueueMany(definition, jobs) {
      for (const job of jobs) effects.jobs.push(outboxJob(definition, job.data, job.options));
    },
    mark(marks) {
      effects.marks.push(...marks);
    },
    notify(notification) {
      effects.notifications.push(notification);
    },
    async savepoint(work) {
      const inner = noEffects();
      const value = (await tx.savepoint((sp) => work(createUnitOfWork(sp, inner)))) as Awaited<ReturnType<typeof work>>;
      effects.events.push(...inner.events);
      effects.jobs.push(...inner.jobs);
      effects.marks.push(...inner.marks);
      effects.notifications.push(...inner.notifications);
      return value;
    },
  };
}
