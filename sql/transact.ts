// Run a write transaction whose outbox rows should be relayed promptly: commit, then ring the relay's doorbell.
import type { Sql, TransactionSql } from './db.ts';
import { ringOutbox } from './outbox.ts';

interface Doorbell {
  ringing: Promise<void> | undefined;
  again: boolean;
}

// One doorbell per pool: under load, commits that land while a ring is in flight share the next ring,
// so NOTIFY traffic stays bounded however many transactions commit.
const doorbells = new WeakMap<Sql, Doorbell>();

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
  const result = (await sql.begin(work)) as T;
  ring(sql);
  return result;
}
