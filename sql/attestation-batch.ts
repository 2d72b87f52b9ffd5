// The statements of a batched ingest (workers/attestation-batch.ts): lock many inbox rows, claim their nonces and
// lock their instances' registry rows in one statement, then write every registry update, history row, lineage
// change and inbox outcome in one more. Decisions between the two are made in core logic.
import type { AttestationStatus, LifecycleState, RemediationState } from '../core/trust-states.ts';
import type { InboxEntry } from './attestation-inbox.ts';
import type { Queryable } from './db.ts';
import { reviveRegistry, type TrustRegistryRow } from './trust-registry.ts';

/**
 * Lock a job's unprocessed inbox rows and, up to `limit` rows in all, the oldest other waiting ones; in accept
 * order (earlier accept groups first, a group in its job's order). Rows another transaction holds are skipped
 * (never waited for here): the caller decides its own such rows one by one, which waits and finds their outcome.
 * Taking waiting rows lets a job catch a backlog up many groups at a time, and keeps accept order when jobs run
 * out of order.
 */
export async function lockInboxBatch(sql: Queryable, reports: { report_id: string; owner_id: string }[], limit: number): Promise<InboxEntry[]> {
  const input = reports.map((report, ord) => ({ ...report, ord }));
  return sql<InboxEntry[]>`
    WITH own AS (
      SELECT a.*, r.ord FROM attestation_inbox a
      JOIN jsonb_to_recordset(${sql.json(input as never)}) AS r(ord int, report_id text, owner_id text)
        ON a.digest = r.report_id AND a.owner_id = r.owner_id
      WHERE a.processed_at IS NULL
      FOR UPDATE OF a SKIP LOCKED
    ), waiting AS (
      SELECT a.*, NULL::int AS ord FROM attestation_inbox a
      WHERE a.processed_at IS NULL AND a.digest <> ALL(${reports.map((report) => report.report_id)}::text[])
      ORDER BY a.received_at LIMIT ${Math.max(0, limit - reports.length)}
      FOR UPDATE SKIP LOCKED
    )
    SELECT * FROM (SELECT * FROM own UNION ALL SELECT * FROM waiting) rows ORDER BY received_at, ord NULLS LAST, digest`;
}

export interface BatchClaim {
  digest: string;
  /** This statement claimed the nonce; false when any earlier evidence holds it (the one-by-one path decides). */
  claimed: boolean;
  references: Record<string, string> | null;
  /** The instance's registry row, locked; null for an unknown instance or another owner's. */
  registry: TrustRegistryRow | null;
}

/**
 * Claim every row's nonce, read each server's reference values and lock the registry rows — in instance id order,
 * so two batches that share instances cannot deadlock. Also returns the transaction's `now()`, the `updated_at` of
 * everything this transaction writes.
 */
export async function claimBatch(
  sql: Queryable,
  rows: { digest: string; owner_id: string; vm_instance_id: number; nonce: string }[],
): Promise<{ now: Date; claims: BatchClaim[] }> {
  if (rows.length === 0) return { now: new Date(), claims: [] };
  const result = await sql<(Omit<BatchClaim, 'registry'> & { registry: TrustRegistryRow | null; now: Date })[]>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${sql.json(rows as never)}) AS i(digest text, owner_id text, vm_instance_id bigint, nonce text)
    ), claimed AS (
      INSERT INTO attestation_nonces (vm_instance_id, nonce, evidence_digest)
      SELECT vm_instance_id, nonce, digest FROM input
      ON CONFLICT (vm_instance_id, nonce) DO NOTHING
      RETURNING evidence_digest
    ), locked AS (
      SELECT r.*, coalesce(r.freshness_deadline < now(), false) AS stale FROM runtime_vm_trust_registry r
      WHERE (r.vm_instance_id, r.owner_id) IN (SELECT vm_instance_id, owner_id FROM input)
      ORDER BY r.vm_instance_id
      FOR UPDATE
    )
    SELECT i.digest, now() AS now,
      EXISTS (SELECT 1 FROM claimed c WHERE c.evidence_digest = i.digest) AS claimed,
      (SELECT m.measurements FROM runtime_vm_instances vi JOIN server_reference_measurements m ON m.server_id = vi.server_id
        WHERE vi.id = i.vm_instance_id AND vi.owner_id = i.owner_id) AS references,
      (SELECT to_jsonb(l.*) FROM locked l WHERE l.vm_instance_id = i.vm_instance_id AND l.owner_id = i.owner_id) AS registry
    FROM input i`;
  return {
    now: result[0]?.now ?? new Date(),
    claims: result.map(({ now: _now, ...claim }) => ({ ...claim, registry: claim.registry ? reviveRegistry(claim.registry) : null })),
  };
}

/** Give back nonces this transaction claimed for rows it leaves to the one-by-one path. */
export async function releaseNonces(sql: Queryable, rows: { vm_instance_id: number; nonce: string; digest: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    DELETE FROM attestation_nonces n USING jsonb_to_recordset(${sql.json(rows as never)}) AS r(vm_instance_id bigint, nonce text, digest text)
    WHERE n.vm_instance_id = r.vm_instance_id AND n.nonce = r.nonce AND n.evidence_digest = r.digest`;
}

/** One applied outcome: the history row to insert (its registry version and the states before and after). */
export interface BatchStep {
  digest: string;
  vm_instance_id: number;
  owner_id: string;
  server_id: number;
  registry_version: number;
  previous_lifecycle_state: LifecycleState;
  lifecycle_state: LifecycleState;
  previous_attestation_status: AttestationStatus;
  attestation_status: AttestationStatus;
  remediation_state: RemediationState | null;
  remediation_attempts: number;
  event: string;
  actor: string;
  verifier: string | null;
  report_reference: string | null;
  reason: string | null;
  provenance: Record<string, unknown>;
  freshness_deadline: Date | null;
  observed_at: Date;
  out_of_order: boolean;
  /** A reaction job follows (reacted_at stays null). */
  react: boolean;
  /** The verdict recorded as the inbox row's outcome. */
  status: AttestationStatus;
}

/** An instance's registry row after the batch's last step for it. */
export type BatchFinal = Pick<
  TrustRegistryRow,
  'vm_instance_id' | 'lifecycle_state' | 'attestation_status' | 'remediation_state' | 'remediation_attempts' | 'freshness_deadline' | 'evidence_observed_at' | 'provenance' | 'version'
>;

/** A server's lineage after the batch: its latest instance and that instance's status (written only if changed). */
export interface BatchLineage {
  owner_id: string;
  server_id: number;
  vm_instance_id: number;
  attestation_status: AttestationStatus;
  remediation_attempts: number;
}

/**
 * Every write of the batch in one statement. History rows are inserted in step order (ids ascend with it); each
 * inbox row gets its outcome. Returns the history id per evidence digest.
 */
export async function writeBatch(sql: Queryable, input: { steps: BatchStep[]; finals: BatchFinal[]; lineage: BatchLineage[] }): Promise<Map<string, number>> {
  if (input.steps.length === 0) return new Map();
  const steps = input.steps.map((step, ord) => ({ ...step, ord }));
  const written = await sql<{ id: number; evidence_digest: string }[]>`
    WITH steps AS (
      SELECT * FROM jsonb_to_recordset(${sql.json(steps as never)}) AS s(
        ord int, digest text, vm_instance_id bigint, owner_id text, server_id bigint, registry_version int,
        previous_lifecycle_state text, lifecycle_state text, previous_attestation_status text, attestation_status text,
        remediation_state text, remediation_attempts int, event text, actor text, verifier text, report_reference text,
        reason text, provenance jsonb, freshness_deadline timestamptz, observed_at timestamptz, out_of_order boolean,
        react boolean, status text)
    ), registry AS (
      UPDATE runtime_vm_trust_registry r SET
        lifecycle_state = f.lifecycle_state, attestation_status = f.attestation_status, remediation_state = f.remediation_state,
        remediation_attempts = f.remediation_attempts, freshness_deadline = f.freshness_deadline,
        evidence_observed_at = f.evidence_observed_at, provenance = f.provenance, version = f.version, updated_at = now()
      FROM jsonb_to_recordset(${sql.json(input.finals as never)}) AS f(
        vm_instance_id bigint, lifecycle_state text, attestation_status text, remediation_state text, remediation_attempts int,
        freshness_deadline timestamptz, evidence_observed_at timestamptz, provenance jsonb, version int)
      WHERE r.vm_instance_id = f.vm_instance_id
      RETURNING 1
    ), history AS (
      INSERT INTO runtime_vm_trust_history
        (vm_instance_id, owner_id, server_id, registry_version, previous_lifecycle_state, lifecycle_state, previous_attestation_status,
         attestation_status, remediation_state, remediation_attempts, trigger, event, actor, verifier, evidence_digest, report_reference,
         reason, provenance, freshness_deadline, reacted_at, observed_at, out_of_order)
      SELECT vm_instance_id, owner_id, server_id, registry_version, previous_lifecycle_state, lifecycle_state, previous_attestation_status,
        attestation_status, remediation_state, remediation_attempts, 'attestation', event, actor, verifier, digest, report_reference,
        reason, provenance, freshness_deadline, CASE WHEN react THEN NULL ELSE now() END, observed_at, out_of_order
      FROM steps ORDER BY ord
      RETURNING id, evidence_digest
    ), lineage_input AS (
      SELECT * FROM jsonb_to_recordset(${sql.json(input.lineage as never)}) AS l(
        owner_id text, server_id bigint, vm_instance_id bigint, attestation_status text, remediation_attempts int)
    ), lineage_changed AS (
      UPDATE evaluation_certifications c SET
        vm_instance_id = l.vm_instance_id, last_attestation_status = l.attestation_status,
        remediation_attempts = l.remediation_attempts, version = c.version + 1, updated_at = now()
      FROM lineage_input l
      WHERE c.server_id = l.server_id AND c.owner_id = l.owner_id
        AND (c.vm_instance_id IS DISTINCT FROM l.vm_instance_id OR c.last_attestation_status IS DISTINCT FROM l.attestation_status
          OR c.remediation_attempts IS DISTINCT FROM l.remediation_attempts)
      RETURNING c.server_id
    ), lineage_new AS (
      INSERT INTO evaluation_certifications (owner_id, server_id, vm_instance_id, last_attestation_status, remediation_attempts)
      SELECT owner_id, server_id, vm_instance_id, attestation_status, remediation_attempts FROM lineage_input
      WHERE server_id NOT IN (SELECT server_id FROM lineage_changed)
      ON CONFLICT (server_id) DO NOTHING
      RETURNING 1
    ), inbox AS (
      UPDATE attestation_inbox a SET processed_at = now(),
        outcome = jsonb_build_object('duplicate', false, 'history_id', h.id, 'status', s.status, 'lifecycle_state', s.lifecycle_state)
      FROM history h JOIN steps s ON s.digest = h.evidence_digest
      WHERE a.digest = h.evidence_digest
      RETURNING 1
    )
    -- Data-modifying CTEs run to completion whether or not this SELECT reads them.
    SELECT id, evidence_digest FROM history`;
  return new Map(written.map((row) => [row.evidence_digest, Number(row.id)]));
}
