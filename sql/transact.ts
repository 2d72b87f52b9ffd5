// Run a write transaction whose outbox rows should be relayed promptly: commit, then ring the relay's doorbell.
import type { Sql, TransactionSql } from './db.ts';
import { ringOutbox } from './outbox.ts';

export async function transact<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  const result = await sql.begin(work);
  // The doorbell is best-effort: the relay's timer sweep picks the rows up regardless.
  await ringOutbox(sql).catch(() => {});
  return result as T;
}
