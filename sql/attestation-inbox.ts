// The attestation inbox: an accepted outcome report is a row here before the API answers 202. The attestation-ingest
// job carries only the digest; the processor records the outcome on the row in the transaction that applies it, so
// a repeated job (a re-relay after Redis lost it, or after retention) returns the recorded outcome instead of
// applying it again. Unprocessed rows are ordered by received_at, so one worker can drain many in one transaction.
import type { Queryable } from './db.ts';

export interface InboxEntry {
  digest: string;
  owner_id: string;
  actor: string;
  vm_instance_id: number;
  report: Record<string, unknown>;
  received_at: Date;
  processed_at: Date | null;
  outcome: Record<string, unknown> | null;
  failed_reason: string | null;
}

/** Record an accepted report; false when the same evidence is already in the inbox (recorded once). */
export async function recordInboxEntry(
  sql: Queryable,
  entry: Pick<InboxEntry, 'digest' | 'owner_id' | 'actor' | 'vm_instance_id' | 'report'>,
): Promise<boolean> {
  const rows = await sql`
    INSERT INTO attestation_inbox (digest, owner_id, actor, vm_instance_id, report)
    VALUES (${entry.digest}, ${entry.owner_id}, ${entry.actor}, ${entry.vm_instance_id}, ${sql.json(entry.report as never)})
    ON CONFLICT (digest) DO NOTHING
    RETURNING digest`;
  return rows.length === 1;
}

export async function findInboxEntry(sql: Queryable, ownerId: string, digest: string): Promise<InboxEntry | undefined> {
  const [row] = await sql<InboxEntry[]>`SELECT * FROM attestation_inbox WHERE digest = ${digest} AND owner_id = ${ownerId}`;
  return row;
}

/** Lock the entry for processing: concurrent deliveries of the same digest take turns, and the second sees the first's outcome. */
export async function lockInboxEntry(sql: Queryable, ownerId: string, digest: string): Promise<InboxEntry | undefined> {
  const [row] = await sql<InboxEntry[]>`SELECT * FROM attestation_inbox WHERE digest = ${digest} AND owner_id = ${ownerId} FOR UPDATE`;
  return row;
}

export async function markInboxProcessed(sql: Queryable, digest: string, outcome: Record<string, unknown>): Promise<void> {
  await sql`UPDATE attestation_inbox SET processed_at = now(), outcome = ${sql.json(outcome as never)} WHERE digest = ${digest}`;
}

/** Rejected evidence is processed too: its reason is kept and the job is not retried. */
export async function markInboxRejected(sql: Queryable, digest: string, reason: string): Promise<void> {
  await sql`UPDATE attestation_inbox SET processed_at = now(), failed_reason = ${reason.slice(0, 2000)} WHERE digest = ${digest} AND processed_at IS NULL`;
}
