// The console's dirty marks (migration 0085): written in the writer's transaction (`uow.mark`, and the subjects of
// its stream events), taken by the console-project job in the transaction that projects them, so a change is either
// projected by the job that took its mark or still marked for the next one.
import { sortMarks, type ConsoleMark } from '../core/console-marks.ts';
import { CONSOLE_PROJECT_DEBOUNCE_MS, consoleProjectQueue } from '../queues/console-project.ts';
import type { Queryable } from './db.ts';
import { insertOutboxJobs, outboxJob, type OutboxRow } from './outbox.ts';

/** A run a console entry shows: it names a workspace, or a promotion staged it. */
const shownRun = (tx: Queryable) =>
  tx`(r.metadata ? 'workspace_key' OR EXISTS (SELECT 1 FROM runtime_vm_remediation_promotion_runs pr WHERE pr.remediation_run_id = r.id))`;

/**
 * Write `marks` for the console, in one statement sent at once (transact() sends it with the transaction's last
 * statements; writers mark through `uow.mark`). A fresh mark writes a (debounced) console-project job for its
 * owner, in the same statement; a mark already there is only locked (the no-op update) until this transaction
 * ends: the job that takes it waits for this commit. Answers the outbox rows written, for the fast path.
 */
export function writeConsoleMarks(tx: Queryable, marks: ConsoleMark[]): Promise<OutboxRow[]> {
  if (marks.length === 0) return Promise.resolve([]);
  const rows = sortMarks([...marks]).map((mark, ord) => ({ ...mark, ord }));
  const owners = [...new Set(rows.map((row) => row.owner_id))].sort();
  const jobs = owners.map((owner_id) => outboxJob(consoleProjectQueue, { owner_id, scope: 'marked' }, { delay: CONSOLE_PROJECT_DEBOUNCE_MS }));
  // A VM instance or server is marked only where a console entry can show it: it has a run that names a
  // workspace or that a promotion staged. Trust writes for the rest of the fleet (the attestation hot path) mark
  // nothing and enqueue nothing; a run linked later marks itself, and its workspace's projection reads the trust.
  const query = tx<OutboxRow[]>`
    WITH m AS (
      SELECT * FROM jsonb_to_recordset(${tx.json(rows as never)}) AS m(owner_id text, kind text, subject_id bigint, ord int)
    ), written AS (
      -- Each instance or server mark looks its own runs up by index (a CTE of every shown run, shared by both, made
      -- Postgres read every run of the database: 50–70 ms per transaction at 100k runs).
      INSERT INTO lifecycle_console_dirty (owner_id, kind, subject_id)
      SELECT m.owner_id, m.kind, m.subject_id FROM m
      WHERE m.kind IN ('workspace', 'run')
        OR (m.kind = 'vm_instance' AND EXISTS (
          SELECT 1 FROM runtime_vm_remediation_runs r
          WHERE r.vm_instance_id = m.subject_id AND r.owner_id = m.owner_id AND ${shownRun(tx)}))
        OR (m.kind = 'server' AND EXISTS (
          SELECT 1 FROM runtime_vm_instances i JOIN runtime_vm_remediation_runs r ON r.vm_instance_id = i.id
          WHERE i.server_id = m.subject_id AND i.owner_id = m.owner_id AND r.owner_id = m.owner_id AND ${shownRun(tx)}))
      ORDER BY m.ord
      ON CONFLICT (owner_id, kind, subject_id) DO UPDATE SET marked_at = lifecycle_console_dirty.marked_at
      RETURNING owner_id, (xmax = 0) AS fresh
    ), jobs AS (
      ${insertOutboxJobs(tx, jobs, tx`j.payload->>'owner_id' IN (SELECT owner_id FROM written WHERE fresh)`)}
    )
    SELECT * FROM jobs ORDER BY id`.execute();
  return Promise.resolve(query).then((written) => [...written]);
}

/**
 * Turn the owner's run, VM instance and server marks into marks of the workspaces they show in. Two statements:
 * the DELETE waits for writers still holding those marks, so the lookup after it (a new snapshot) sees their commits.
 */
export async function expandMarks(tx: Queryable, ownerId: string): Promise<void> {
  const taken = await tx<{ kind: string; subject_id: number }[]>`
    DELETE FROM lifecycle_console_dirty WHERE owner_id = ${ownerId} AND kind <> 'workspace' RETURNING kind, subject_id`;
  if (taken.length === 0) return;
  const ids = (kind: string) => taken.filter((mark) => mark.kind === kind).map((mark) => mark.subject_id);
  await tx`
    WITH runs AS (
      SELECT r.id FROM runtime_vm_remediation_runs r
      WHERE r.owner_id = ${ownerId} AND (
        r.id = ANY(${ids('run')}::bigint[])
        OR r.vm_instance_id = ANY(${ids('vm_instance')}::bigint[])
        OR r.vm_instance_id IN (SELECT i.id FROM runtime_vm_instances i WHERE i.server_id = ANY(${ids('server')}::bigint[]) AND i.owner_id = ${ownerId}))
    )
    INSERT INTO lifecycle_console_dirty (owner_id, kind, subject_id)
    SELECT DISTINCT ${ownerId}::text, 'workspace'::text, shown.workspace_id FROM (
      -- The two halves of the lifecycle_console_workspace_runs view, each by its run index: the view itself, joined
      -- by run, is built whole first (every run of the database with a workspace key) and cost 75–100 ms at 100k runs.
      SELECT pr.workspace_id FROM runtime_vm_remediation_promotion_runs pr WHERE pr.remediation_run_id IN (SELECT id FROM runs)
      UNION ALL
      SELECT w.id FROM runtime_vm_remediation_runs r
      JOIN runtime_vm_remediation_workspaces w ON w.owner_id = r.owner_id AND w.workspace_key = r.metadata->>'workspace_key'
      WHERE r.id IN (SELECT id FROM runs)
    ) AS shown
    ORDER BY 3
    ON CONFLICT (owner_id, kind, subject_id) DO NOTHING`;
}

/** Take up to `limit` of the owner's workspace marks (lowest ids first); the caller projects them in this transaction. */
export async function takeWorkspaceMarks(tx: Queryable, ownerId: string, limit: number): Promise<number[]> {
  const rows = await tx<{ subject_id: number }[]>`
    DELETE FROM lifecycle_console_dirty
    WHERE owner_id = ${ownerId} AND kind = 'workspace' AND subject_id IN (
      SELECT subject_id FROM lifecycle_console_dirty WHERE owner_id = ${ownerId} AND kind = 'workspace' ORDER BY subject_id LIMIT ${limit})
    RETURNING subject_id`;
  return rows.map((row) => Number(row.subject_id)).sort((a, b) => a - b);
}

/** Owners the reconciliation visits: every owner with a workspace or a projection row. */
export async function listConsoleOwners(sql: Queryable): Promise<string[]> {
  const rows = await sql<{ owner_id: string }[]>`
    SELECT owner_id FROM runtime_vm_remediation_workspaces UNION SELECT owner_id FROM lifecycle_console_projection ORDER BY 1`;
  return rows.map((row) => row.owner_id);
}

/** Owners with marks older than `seconds`: their job failed for good or never ran. */
export async function listLeftoverOwners(sql: Queryable, seconds: number): Promise<string[]> {
  const rows = await sql<{ owner_id: string }[]>`
    SELECT DISTINCT owner_id FROM lifecycle_console_dirty WHERE marked_at < now() - make_interval(secs => ${seconds}) ORDER BY 1`;
  return rows.map((row) => row.owner_id);
}

export async function recordReconciled(sql: Queryable, ownerId: string): Promise<void> {
  await sql`
    INSERT INTO lifecycle_console_owners (owner_id) VALUES (${ownerId})
    ON CONFLICT (owner_id) DO UPDATE SET reconciled_at = now()`;
}

export async function wasReconciled(sql: Queryable, ownerId: string): Promise<boolean> {
  const [row] = await sql`SELECT 1 FROM lifecycle_console_owners WHERE owner_id = ${ownerId}`;
  return row !== undefined;
}
