// runtime_vm_accelerator_posture: accelerator posture per VM instance, folded into remediation stream payloads.
import type { AcceleratorPosture } from '../core/remediation-stream-payload.ts';
import type { Queryable } from './db.ts';

export async function listAcceleratorPosture(sql: Queryable, ownerId: string, vmInstanceId: number): Promise<AcceleratorPosture[]> {
  return sql<AcceleratorPosture[]>`
    SELECT accelerator_id, kind, posture, policy_feedback, metadata FROM runtime_vm_accelerator_posture
    WHERE vm_instance_id = ${vmInstanceId} AND owner_id = ${ownerId} ORDER BY accelerator_id`;
}

export async function upsertAcceleratorPosture(sql: Queryable, ownerId: string, vmInstanceId: number, posture: AcceleratorPosture): Promise<void> {
  await sql`
    INSERT INTO runtime_vm_accelerator_posture (owner_id, vm_instance_id, accelerator_id, kind, posture, policy_feedback, metadata)
    VALUES (${ownerId}, ${vmInstanceId}, ${posture.accelerator_id}, ${posture.kind}, ${posture.posture},
            ${sql.json(posture.policy_feedback as never)}, ${sql.json(posture.metadata as never)})
    ON CONFLICT (vm_instance_id, accelerator_id) DO UPDATE SET
      kind = excluded.kind, posture = excluded.posture, policy_feedback = excluded.policy_feedback, metadata = excluded.metadata, updated_at = now()`;
}
