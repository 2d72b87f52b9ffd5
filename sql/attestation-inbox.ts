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
  /** The ingest job that carries the entry (an accept group's); null for entries recorded one job each. */
  job_id: string | null;
}

export type NewInboxEntry = Pick<InboxEntry, 'digest' | 'owner_id' | 'actor' | 'vm_instance_id' | 'report'>;

/** Why an entry of an accept group was not recorded: no such instance of its owner, or a terminated one. */
export interface InboxAcceptance {
  digest: string;
  /** A new row, carried by the group's job; false for evidence already in the inbox (recorded once) or refused. */
  recorded: boolean;
  instance: { id: number; status: string; terminated_at: Date | null } | null;
}

/**
 * Record an accept group's entries in one statement: each checked against its owner's VM instance (unknown or
 * terminated → not recorded, the caller says why), new evidence inserted with the ingest job that carries it,
 * evidence already in the inbox left as it is. Answers per entry, in input order.
 */
export async function recordInboxEntries(sql: Queryable, entries: NewInboxEntry[], jobId: string): Promise<InboxAcceptance[]> {
  const input = entries.map((entry, ord) => ({ ...entry, ord }));
  const rows = await sql<{ digest: string; recorded: boolean; instance: InboxAcceptance['instance'] }[]>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${sql.json(input as never)})
        AS e(ord int, digest text, owner_id text, actor text, vm_instance_id bigint, report jsonb)
    ), known AS (
      SELECT e.*, v.id AS instance_id, v.status AS instance_status, v.terminated_at
      FROM input e LEFT JOIN runtime_vm_instances v ON v.id = e.vm_instance_id AND v.owner_id = e.owner_id
    ), inserted AS (
      INSERT INTO attestation_inbox (digest, owner_id, actor, vm_instance_id, report, job_id)
      SELECT DISTINCT ON (digest) digest, owner_id, actor, vm_instance_id, report, ${jobId}
      FROM known WHERE instance_id IS NOT NULL AND terminated_at IS NULL
      ORDER BY digest, ord
      ON CONFLICT (digest) DO NOTHING
      RETURNING digest
    )
    SELECT k.digest, EXISTS (SELECT 1 FROM inserted i WHERE i.digest = k.digest) AS recorded,
      CASE WHEN k.instance_id IS NULL THEN NULL
        ELSE jsonb_build_object('id', k.instance_id, 'status', k.instance_status, 'terminated_at', k.terminated_at) END AS instance
    FROM known k ORDER BY k.ord`;
  return rows.map((row) => ({
    ...row,
    instance: row.instance && { ...row.instance, terminated_at: row.instance.terminated_at === null ? null : new Date(row.instance.terminated_at) },
  }));
}

export async function findInboxEntry(sql: Queryable, ownerId: string, digest: string): Promise<InboxEntry | undefined> {
  const [row] = await sql<InboxEntry[]>`SELECT * FROM attestation_inbox WHERE digest = ${digest} AND owner_id = ${ownerId}`;
  return row;
}

/** Which of `digests` are already processed (by another job's batch, or earlier): digest → rejected. */
export async function processedDigests(sql: Queryable, digests: string[]): Promise<Map<string, boolean>> {
  if (digests.length === 0) return new Map();
  const rows = await sql<{ digest: string; rejected: boolean }[]>`
    SELECT digest, failed_reason IS NOT NULL AS rejected FROM attestation_inbox WHERE digest = ANY(${digests}::text[]) AND processed_at IS NOT NULL`;
  return new Map(rows.map((row) => [row.digest, row.rejected]));
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
