// runtime_vm_remediation_artifacts: log bundles, evidence and outputs per attempt, with a content digest.
import { createHash } from 'node:crypto';
import type { Queryable } from './db.ts';

export type ArtifactType = 'log-bundle' | 'evidence' | 'output';

export async function insertArtifact(
  sql: Queryable,
  input: { runId: number; ownerId: string; attempt: number; type: ArtifactType; name: string; contentType: string; content: string; metadata: Record<string, unknown> },
): Promise<void> {
  const sha256 = createHash('sha256').update(input.content).digest('hex');
  await sql`
    INSERT INTO runtime_vm_remediation_artifacts (run_id, owner_id, attempt, artifact_type, name, content_type, content, sha256, size_bytes, metadata)
    VALUES (${input.runId}, ${input.ownerId}, ${input.attempt}, ${input.type}, ${input.name}, ${input.contentType}, ${input.content}, ${sha256},
            ${Buffer.byteLength(input.content)}, ${sql.json(input.metadata as never)})
    ON CONFLICT (run_id, attempt, name) DO NOTHING`;
}

export async function listArtifacts(sql: Queryable, ownerId: string, runId: number): Promise<Record<string, unknown>[]> {
  return sql`
    SELECT * FROM runtime_vm_remediation_artifacts WHERE run_id = ${runId} AND owner_id = ${ownerId} ORDER BY attempt, id`;
}
