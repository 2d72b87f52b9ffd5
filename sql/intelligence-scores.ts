// capability_intelligence_scores: the latest computed score per server and capability, plus the posture it is computed from.
import { scorePosture, type Penalty, type PostureInput, type Score } from '../core/scoring.ts';
import type { Queryable } from './db.ts';

/**
 * Serialise recomputes of one server's derived rows (score, refresh plan) until the caller commits. Without it a
 * job that read the posture before a newer transition could write after the newer job, leaving a stale result.
 */
export async function lockServerPosture(tx: Queryable, serverId: number): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtextextended('server-posture:' || ${serverId}::text, 0))`;
}

/** The trust posture of every live (not terminated) instance of a server, with when each remediation attempt started. */
export async function listServerPosture(sql: Queryable, ownerId: string, serverId: number): Promise<PostureInput[]> {
  return sql<PostureInput[]>`
    SELECT r.vm_instance_id, r.lifecycle_state, r.attestation_status, r.remediation_attempts, r.freshness_deadline, r.provenance,
           coalesce((SELECT array_agg(x.created_at ORDER BY x.created_at) FROM (
             SELECT h.created_at, h.remediation_attempts - lag(h.remediation_attempts, 1, 0) OVER (ORDER BY h.registry_version) AS started
             FROM runtime_vm_trust_history h WHERE h.vm_instance_id = r.vm_instance_id) x WHERE x.started > 0), '{}') AS remediation_started_at
    FROM runtime_vm_trust_registry r
    JOIN runtime_vm_instances i ON i.id = r.vm_instance_id AND i.terminated_at IS NULL
    WHERE r.server_id = ${serverId} AND r.owner_id = ${ownerId}
    ORDER BY r.vm_instance_id`;
}

export async function upsertIntelligenceScore(
  sql: Queryable,
  input: { ownerId: string; serverId: number; capability?: string; score: Score },
): Promise<{ score: string; computed_at: Date } | undefined> {
  const [row] = await sql<{ score: string; computed_at: Date }[]>`
    INSERT INTO capability_intelligence_scores (owner_id, server_id, capability, score, notes, evidence)
    SELECT s.owner_id, s.id, ${input.capability ?? 'runtime'}, ${input.score.score}, ${sql.json(input.score.notes)},
           ${sql.json(input.score.evidence as never)}
    FROM servers s WHERE s.id = ${input.serverId} AND s.owner_id = ${input.ownerId}
    ON CONFLICT (server_id, capability) DO UPDATE SET
      score = EXCLUDED.score, notes = EXCLUDED.notes, evidence = EXCLUDED.evidence, computed_at = now()
    RETURNING score, computed_at`;
  return row;
}

export async function findIntelligenceScore(sql: Queryable, ownerId: string, serverId: number, capability = 'runtime') {
  const [row] = await sql<{ score: string; notes: string[]; evidence: Record<string, unknown>; computed_at: Date }[]>`
    SELECT score, notes, evidence, computed_at FROM capability_intelligence_scores
    WHERE server_id = ${serverId} AND owner_id = ${ownerId} AND capability = ${capability}`;
  return row;
}

/** The stored score with its penalties, or (before any recompute) one computed from the current posture. */
export async function readIntelligence(sql: Queryable, ownerId: string, serverId: number) {
  const row = await findIntelligenceScore(sql, ownerId, serverId);
  if (row !== undefined) {
    const penalties = Array.isArray(row.evidence.penalties) ? (row.evidence.penalties as Penalty[]) : [];
    return { server_id: serverId, capability: 'runtime', score: Number(row.score), penalties, notes: row.notes, computed_at: row.computed_at, stored: true };
  }
  const now = new Date();
  const computed = scorePosture(await listServerPosture(sql, ownerId, serverId), now);
  return { server_id: serverId, capability: 'runtime', score: computed.score, penalties: computed.penalties, notes: computed.notes, computed_at: now, stored: false };
}
