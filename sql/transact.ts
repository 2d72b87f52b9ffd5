// Run a write transaction whose outbox rows should reach BullMQ promptly: commit, hand the rows straight to the
// queues (fast path, when the process has one), and ring the relay's doorbell. The relay remains the guarantee:
// it re-enqueues every unmarked row under the same jobId, which BullMQ treats as a duplicate.
import type { Sql, TransactionSql } from './db.ts';
import { ringOutbox, takeWrittenOutboxRows, type OutboxRow } from './outbox.ts';

export type OutboxPublisher = (rows: OutboxRow[]) => Promise<void>;

interface Doorbell {
  ringing: Promise<void> | undefined;
  again: boolean;
}

// One doorbell per pool: under load, commits that land while a ring is in flight share the next ring,
// so NOTIFY traffic stays bounded however many transactions commit.
const doorbells = new WeakMap<Sql, Doorbell>();
const publishers = new WeakMap<Sql, OutboxPublisher>();

/** Let `transact()` on this pool enqueue committed outbox rows itself instead of waiting for the relay. */
export function setOutboxPublisher(sql: Sql, publish: OutboxPublisher): void {
  publishers.set(sql, publish);
}

function ring(sql: Sql): void {
  let bell = doorbells.get(sql);
  if (bell === undefined) {
    bell = { ringing: undefined, again: false };
    doorbells.set(sql, bell);
  }
  if (bell.ringing) {
    bell.again = true;
    return;
  }
  const current = bell;
  // Best-effort: the relay's timer sweep picks the rows up regardless.
  current.ringing = ringOutbox(sql)
    .catch(() => {})
    .finally(() => {
      current.ringing = undefined;
      if (current.again) {
        current.again = false;
        ring(sql);
      }
    });
}

export async function transact<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  let transaction: TransactionSql | undefined;
  const result = (await sql.begin((tx) => {
    transaction = tx;
    return work(tx);
  })) as T;
  const rows = transaction ? takeWrittenOutboxRows(transaction) : [];
  const publish = publishers.get(sql);
  if (rows.length > 0 && publish) {
    // A failed fast path only costs latency: the relay enqueues the same rows under the same jobIds.
    await publish(rows).catch(() => {});
  }
  ring(sql);
  return result;
}
