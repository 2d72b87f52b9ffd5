// evaluation_certifications: per-server evaluation plan plus its trust lineage (last attestation status,
// remediation attempts, fallback launch time). The lineage is written with every trust transition.
import type { AttestationStatus } from '../core/trust-states.ts';
import type { Queryable } from './db.ts';

export interface EvaluationCertification {
  id: number;
  owner_id: string;
  server_id: number;
  vm_instance_id: number | null;
  status: string;
  refresh_paused: boolean;
  refresh_interval_seconds: number;
  next_refresh_at: Date | null;
  last_attestation_status: AttestationStatus | null;
  fallback_launched_at: Date | null;
  remediation_attempts: number;
  notes: string[];
  version: number;
}

export interface TrustLineage {
  ownerId: string;
  serverId: number;
  vmInstanceId: number;
  attestationStatus: AttestationStatus | null;
  remediationAttempts: number | null;
}

/**
 * The lineage write as two CTEs (`lineage_changed`, `lineage_new`) to put in a larger statement. It writes only
 * when the lineage changes: most outcomes repeat the last status, and skipping the write also skips the
 * per-server row lock that would otherwise serialise every transition of the server's instances.
 */
export function trustLineageCtes(sql: Queryable, input: TrustLineage) {
  return sql`
    lineage_changed AS (
      UPDATE evaluation_certifications SET
        vm_instance_id = ${input.vmInstanceId},
        last_attestation_status = coalesce(${input.attestationStatus}, last_attestation_status),
        remediation_attempts = coalesce(${input.remediationAttempts}::integer, remediation_attempts),
        version = version + 1,
        updated_at = now()
      WHERE server_id = ${input.serverId} AND owner_id = ${input.ownerId}
        AND (vm_instance_id IS DISTINCT FROM ${input.vmInstanceId}
          OR last_attestation_status IS DISTINCT FROM coalesce(${input.attestationStatus}, last_attestation_status)
          OR remediation_attempts IS DISTINCT FROM coalesce(${input.remediationAttempts}::integer, remediation_attempts))
      RETURNING 1
    ), lineage_new AS (
      INSERT INTO evaluation_certifications (owner_id, server_id, vm_instance_id, last_attestation_status, remediation_attempts)
      SELECT ${input.ownerId}, ${input.serverId}, ${input.vmInstanceId}, ${input.attestationStatus}, ${input.remediationAttempts ?? 0}
      WHERE NOT EXISTS (SELECT 1 FROM lineage_changed)
      ON CONFLICT (server_id) DO NOTHING
      RETURNING 1
    )`;
}

export async function upsertTrustLineage(sql: Queryable, input: TrustLineage): Promise<void> {
  await sql`WITH ${trustLineageCtes(sql, input)} SELECT (SELECT count(*) FROM lineage_changed) + (SELECT count(*) FROM lineage_new) AS written`;
}

export async function findEvaluationCertification(sql: Queryable, ownerId: string, serverId: number): Promise<EvaluationCertification | undefined> {
  const [row] = await sql<EvaluationCertification[]>`
    SELECT * FROM evaluation_certifications WHERE server_id = ${serverId} AND owner_id = ${ownerId}`;
  return row;
}

/**
 * Pause or resume the refresh cadence. Resuming schedules the next refresh one interval from now unless one is
 * already due; pausing keeps `next_refresh_at` so the plan can be seen. `fallback_launched_at` is never touched.
 */
export async function setRefreshPlan(
  sql: Queryable,
  input: { ownerId: string; serverId: number; paused: boolean; notes: string[] },
): Promise<EvaluationCertification | undefined> {
  const [row] = await sql<EvaluationCertification[]>`
    UPDATE evaluation_certifications SET
      refresh_paused = ${input.paused},
      status = ${input.paused ? 'paused' : 'scheduled'},
      next_refresh_at = CASE WHEN ${input.paused} THEN next_refresh_at
                             ELSE coalesce(next_refresh_at, now() + make_interval(secs => refresh_interval_seconds)) END,
      notes = ${sql.json(input.notes)},
      version = version + 1,
      updated_at = now()
    WHERE server_id = ${input.serverId} AND owner_id = ${input.ownerId}
      AND (refresh_paused IS DISTINCT FROM ${input.paused} OR notes IS DISTINCT FROM ${sql.json(input.notes)}::jsonb)
    RETURNING *`;
  return row;
}
