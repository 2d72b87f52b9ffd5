// runtime_vm_trust_history: the append-only record of every registry version. Reads are owner-scoped;
// `reacted_at` marks rows whose reactions ran, so the catch-up listener can find the rest.
import type { AttestationStatus, LifecycleState, RemediationState } from '../core/trust-states.ts';
import type { Queryable } from './db.ts';

export interface TrustHistoryRow {
  id: number;
  vm_instance_id: number;
  owner_id: string;
  server_id: number;
  registry_version: number;
  previous_lifecycle_state: LifecycleState | null;
  lifecycle_state: LifecycleState;
  previous_attestation_status: AttestationStatus | null;
  attestation_status: AttestationStatus;
  remediation_state: RemediationState | null;
  remediation_attempts: number;
  trigger: string;
  event: string | null;
  actor: string | null;
  verifier: string | null;
  evidence_digest: string | null;
  report_reference: string | null;
  reason: string | null;
  provenance: Record<string, unknown>;
  freshness_deadline: Date | null;
  /** When an attestation's evidence was observed (null for other events). */
  observed_at: Date | null;
  /** Evidence observed before the newest already applied: recorded here, applied to nothing. */
  out_of_order: boolean;
  created_at: Date;
  reacted_at: Date | null;
}

export async function listTrustHistory(sql: Queryable, ownerId: string, vmInstanceId: number, limit: number): Promise<TrustHistoryRow[]> {
  return sql<TrustHistoryRow[]>`
    SELECT * FROM runtime_vm_trust_history
    WHERE vm_instance_id = ${vmInstanceId} AND owner_id = ${ownerId}
    ORDER BY id DESC
    LIMIT ${limit}`;
}

export async function findTrustHistory(sql: Queryable, ownerId: string, id: number): Promise<TrustHistoryRow | undefined> {
  const [row] = await sql<TrustHistoryRow[]>`SELECT * FROM runtime_vm_trust_history WHERE id = ${id} AND owner_id = ${ownerId}`;
  return row;
}

export async function findHistoryByEvidence(sql: Queryable, vmInstanceId: number, digest: string): Promise<TrustHistoryRow | undefined> {
  const [row] = await sql<TrustHistoryRow[]>`
    SELECT * FROM runtime_vm_trust_history WHERE vm_instance_id = ${vmInstanceId} AND evidence_digest = ${digest}`;
  return row;
}

export async function markHistoryReacted(sql: Queryable, id: number): Promise<void> {
  await sql`UPDATE runtime_vm_trust_history SET reacted_at = now() WHERE id = ${id} AND reacted_at IS NULL`;
}

/** Rows whose reactions have not run, older than `graceSeconds` (younger ones are still in flight via the outbox). */
export async function listUnreactedHistory(
  sql: Queryable,
  options: { graceSeconds: number; limit: number; afterId?: number },
): Promise<Pick<TrustHistoryRow, 'id' | 'vm_instance_id' | 'owner_id'>[]> {
  return sql<Pick<TrustHistoryRow, 'id' | 'vm_instance_id' | 'owner_id'>[]>`
    SELECT id, vm_instance_id, owner_id FROM runtime_vm_trust_history
    WHERE reacted_at IS NULL AND id > ${options.afterId ?? 0} AND created_at < now() - make_interval(secs => ${options.graceSeconds})
    ORDER BY id
    LIMIT ${options.limit}`;
}

