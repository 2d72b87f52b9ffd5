// runtime_vm_accelerator_posture: accelerator posture per VM instance, recorded through the API or ingested from
// run/scenario metadata fixtures; folded into remediation stream payloads and the placement gate's accelerator check.
import { AppError } from '../core/errors.ts';
import type { AcceleratorPosture } from '../core/remediation-stream-payload.ts';
import { acceleratorFixtures } from '../core/schemas/accelerators.ts';
import type postgres from 'postgres';
import type { Queryable } from './db.ts';

export async function listAcceleratorPosture(sql: Queryable, ownerId: string, vmInstanceId: number): Promise<AcceleratorPosture[]> {
  return sql<AcceleratorPosture[]>`
    SELECT accelerator_id, kind, posture, policy_feedback, metadata FROM runtime_vm_accelerator_posture
    WHERE vm_instance_id = ${vmInstanceId} AND owner_id = ${ownerId} ORDER BY accelerator_id`;
}

/**
 * The instance's posture rows as one json array ordered by accelerator (the shape listAcceleratorPosture answers),
 * as a column of a larger statement; `vmInstanceId` and `ownerId` may be column references.
 */
export const acceleratorPostureJson = (sql: Queryable, vmInstanceId: number | postgres.Fragment, ownerId: string | postgres.Fragment) => sql`
  coalesce((
    SELECT json_agg(json_build_object('accelerator_id', a.accelerator_id, 'kind', a.kind, 'posture', a.posture, 'policy_feedback', a.policy_feedback, 'metadata', a.metadata) ORDER BY a.accelerator_id)
    FROM runtime_vm_accelerator_posture a WHERE a.vm_instance_id = ${vmInstanceId} AND a.owner_id = ${ownerId}
  ), '[]'::json)`;

export interface AcceleratorPostureRow extends AcceleratorPosture {
  vm_instance_id: number;
  updated_at: Date;
}

export async function listAcceleratorPostureRows(sql: Queryable, ownerId: string, vmInstanceId: number): Promise<AcceleratorPostureRow[]> {
  return sql<AcceleratorPostureRow[]>`
    SELECT vm_instance_id, accelerator_id, kind, posture, policy_feedback, metadata, updated_at FROM runtime_vm_accelerator_posture
    WHERE vm_instance_id = ${vmInstanceId} AND owner_id = ${ownerId} ORDER BY accelerator_id`;
}

/** Insert or replace one accelerator's posture; nothing is written for an instance the owner does not have. */
export async function upsertAcceleratorPosture(sql: Queryable, ownerId: string, vmInstanceId: number, posture: AcceleratorPosture): Promise<AcceleratorPostureRow | undefined> {
  const [row] = await sql<AcceleratorPostureRow[]>`
    INSERT INTO runtime_vm_accelerator_posture (owner_id, vm_instance_id, accelerator_id, kind, posture, policy_feedback, metadata)
    SELECT ${ownerId}, i.id, ${posture.accelerator_id}, ${posture.kind}, ${posture.posture},
           ${sql.json(posture.policy_feedback as never)}, ${sql.json(posture.metadata as never)}
    FROM runtime_vm_instances i WHERE i.id = ${vmInstanceId} AND i.owner_id = ${ownerId}
    ON CONFLICT (vm_instance_id, accelerator_id) DO UPDATE SET
      kind = excluded.kind, posture = excluded.posture, policy_feedback = excluded.policy_feedback, metadata = excluded.metadata, updated_at = now()
    RETURNING vm_instance_id, accelerator_id, kind, posture, policy_feedback, metadata, updated_at`;
  return row;
}

/** Where a run's metadata may carry accelerator fixtures, and what is there (undefined: nothing). */
function fixtureSources(metadata: Record<string, unknown>): [string, unknown][] {
  const scenario = metadata.scenario;
  const sources: [string, unknown][] = [['body.metadata.accelerators', metadata.accelerators]];
  if (typeof scenario === 'object' && scenario !== null) sources.push(['body.metadata.scenario.accelerators', (scenario as Record<string, unknown>).accelerators]);
  return sources.filter(([, raw]) => raw !== undefined);
}

export const hasAcceleratorFixtures = (metadata: Record<string, unknown>): boolean => fixtureSources(metadata).length > 0;

/**
 * The accelerator fixtures a run's (or its scenario's) metadata carries, as posture rows of the run's instance.
 * Malformed fixtures are a 400 naming the field, and the caller's transaction writes nothing.
 */
export async function ingestAcceleratorFixtures(sql: Queryable, ownerId: string, vmInstanceId: number, metadata: Record<string, unknown>): Promise<number> {
  let written = 0;
  for (const [path, raw] of fixtureSources(metadata)) {
    const parsed = acceleratorFixtures.safeParse(raw);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => ({ path: [path, ...issue.path].join('.'), code: 'invalid-accelerator-fixture', message: issue.message }));
      throw new AppError('validation-failed', `${path} is not a list of accelerator fixtures`, { errors });
    }
    for (const fixture of parsed.data) if (await upsertAcceleratorPosture(sql, ownerId, vmInstanceId, fixture)) written += 1;
  }
  return written;
}
