// The evaluations view: each server's evaluation (evaluation_certifications) joined with its newest instance's
// trust snapshot, its refresh schedules and its latest placement decision. Owner-scoped everywhere.
import { AppError } from '../core/errors.ts';
import type { AttestationStatus, LifecycleState } from '../core/trust-states.ts';
import type { Queryable } from './db.ts';

export interface EvaluationFilter {
  server_id?: number | undefined;
  lifecycle_state?: LifecycleState | undefined;
  attestation_status?: AttestationStatus | undefined;
  blocked?: boolean | undefined;
}

export interface EvaluationRow {
  id: number;
  server_id: number;
  server_name: string;
  server_status: string;
  status: string;
  refresh_paused: boolean;
  vm_instance_id: number | null;
  last_attestation_status: AttestationStatus | null;
  fallback_launched_at: Date | null;
  remediation_attempts: number;
  notes: string[];
  version: number;
  lifecycle_state: LifecycleState | null;
  attestation_status: AttestationStatus | null;
  remediation_state: string | null;
  freshness_deadline: Date | null;
  stale: boolean;
  provenance: Record<string, unknown> | null;
  registry_version: number | null;
  blocked: boolean;
  decision_id: string | null;
  decided_at: Date | null;
  next_refresh_at: Date | null;
  last_refresh_at: Date | null;
  last_success_at: Date | null;
  refresh_state: string | null;
  stalled: boolean;
}

const select = (sql: Queryable, ownerId: string) => sql`
  SELECT c.id, c.server_id, s.name AS server_name, s.status AS server_status, c.status, c.refresh_paused, c.vm_instance_id,
         c.last_attestation_status, c.fallback_launched_at, c.remediation_attempts, c.notes, c.version,
         r.lifecycle_state, r.attestation_status, r.remediation_state, r.freshness_deadline,
         coalesce(r.freshness_deadline < now(), false) AS stale, r.provenance, r.version AS registry_version,
         coalesce(NOT d.allow, false) AS blocked, d.decision_id, d.created_at AS decided_at,
         sch.next_refresh_at, sch.last_refresh_at, sch.last_success_at, sch.refresh_state, coalesce(sch.stalled, false) AS stalled
  FROM evaluation_certifications c
  JOIN servers s ON s.id = c.server_id AND s.owner_id = c.owner_id
  LEFT JOIN LATERAL (
    SELECT * FROM runtime_vm_trust_registry r WHERE r.server_id = c.server_id AND r.owner_id = c.owner_id ORDER BY r.vm_instance_id DESC LIMIT 1
  ) r ON true
  LEFT JOIN LATERAL (
    SELECT d.allow, d.decision_id::text, d.created_at FROM placement_decisions d WHERE d.server_id = c.server_id AND d.owner_id = c.owner_id ORDER BY d.id DESC LIMIT 1
  ) d ON true
  LEFT JOIN LATERAL (
    SELECT min(x.next_refresh_at) AS next_refresh_at, max(x.last_attempt_at) AS last_refresh_at, max(x.last_success_at) AS last_success_at,
           string_agg(DISTINCT x.state, ',') AS refresh_state, bool_or(x.stalled_at IS NOT NULL) AS stalled
    FROM evaluation_refresh_schedules x WHERE x.server_id = c.server_id AND x.owner_id = c.owner_id
  ) sch ON true
  WHERE c.owner_id = ${ownerId}`;

export async function listEvaluations(sql: Queryable, ownerId: string, filter: EvaluationFilter, page: { limit: number; after?: number }): Promise<EvaluationRow[]> {
  return sql<EvaluationRow[]>`
    SELECT * FROM (${select(sql, ownerId)}) e WHERE true
      ${filter.server_id === undefined ? sql`` : sql`AND e.server_id = ${filter.server_id}`}
      ${filter.lifecycle_state === undefined ? sql`` : sql`AND e.lifecycle_state = ${filter.lifecycle_state}`}
      ${filter.attestation_status === undefined ? sql`` : sql`AND e.attestation_status = ${filter.attestation_status}`}
      ${filter.blocked === undefined ? sql`` : sql`AND e.blocked = ${filter.blocked}`}
      ${page.after === undefined ? sql`` : sql`AND e.id > ${page.after}`}
    ORDER BY e.id LIMIT ${page.limit + 1}`;
}

export async function getEvaluation(sql: Queryable, ownerId: string, id: number): Promise<EvaluationRow> {
  const [row] = await sql<EvaluationRow[]>`SELECT * FROM (${select(sql, ownerId)}) e WHERE e.id = ${id}`;
  if (row === undefined) throw new AppError('not-found', `evaluation ${id} does not exist`);
  return row;
}

/**
 * Since when the server has been blocked: the first blocked decision after the last allowed one; and since when its
 * newest instance has been in its current lifecycle state (the history row that entered it).
 */
export async function blockedSince(sql: Queryable, ownerId: string, serverId: number, vmInstanceId: number | null): Promise<{ blocked_since: Date | null; lifecycle_since: Date | null }> {
  const [row] = await sql<{ blocked_since: Date | null; lifecycle_since: Date | null }[]>`
    SELECT
      (SELECT min(d.created_at) FROM placement_decisions d
        WHERE d.server_id = ${serverId} AND d.owner_id = ${ownerId} AND NOT d.allow
          AND d.id > coalesce((SELECT max(a.id) FROM placement_decisions a WHERE a.server_id = ${serverId} AND a.owner_id = ${ownerId} AND a.allow), 0)) AS blocked_since,
      (SELECT max(h.created_at) FROM runtime_vm_trust_history h
        WHERE h.vm_instance_id = ${vmInstanceId} AND h.owner_id = ${ownerId}
          AND h.previous_lifecycle_state IS DISTINCT FROM h.lifecycle_state) AS lifecycle_since`;
  return row ?? { blocked_since: null, lifecycle_since: null };
}
