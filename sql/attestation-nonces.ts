// attestation_nonces: each nonce may back one piece of evidence per instance. The same evidence again is a
// resubmission (recorded once elsewhere); a different evidence with a used nonce is a replay.
import type { Queryable } from './db.ts';
import { reviveRegistry, type TrustRegistryRow } from './trust-registry.ts';

export type NonceClaim = 'new' | 'same-evidence' | 'replayed';

export async function claimNonce(sql: Queryable, vmInstanceId: number, nonce: string, evidenceDigest: string): Promise<NonceClaim> {
  const [inserted] = await sql`
    INSERT INTO attestation_nonces (vm_instance_id, nonce, evidence_digest)
    VALUES (${vmInstanceId}, ${nonce}, ${evidenceDigest})
    ON CONFLICT (vm_instance_id, nonce) DO NOTHING
    RETURNING 1 AS ok`;
  if (inserted !== undefined) return 'new';
  const [existing] = await sql<{ evidence_digest: string | null }[]>`
    SELECT evidence_digest FROM attestation_nonces WHERE vm_instance_id = ${vmInstanceId} AND nonce = ${nonce}`;
  return existing?.evidence_digest === evidenceDigest ? 'same-evidence' : 'replayed';
}

/** The server's reference values for an instance, if any were registered (owner-scoped). */
export async function findReferencesForInstance(sql: Queryable, ownerId: string, vmInstanceId: number): Promise<Record<string, string> | undefined> {
  const [row] = await sql<{ measurements: Record<string, string> }[]>`
    SELECT m.measurements FROM runtime_vm_instances i
    JOIN server_reference_measurements m ON m.server_id = i.server_id
    WHERE i.id = ${vmInstanceId} AND i.owner_id = ${ownerId}`;
  return row?.measurements;
}

/**
 * One round trip for the ingest path: claim the nonce, read the server's reference values, and lock the
 * instance's registry row (owner-scoped) for the transition that follows. The outer SELECT sees the table as it
 * was before this statement's INSERT, so `existing` is the earlier claim. `registry` is undefined for an
 * instance that does not exist or belongs to another owner.
 */
export async function claimNonceAndLock(
  sql: Queryable,
  input: { ownerId: string; vmInstanceId: number; nonce: string; evidenceDigest: string },
): Promise<{ claim: NonceClaim; references: Record<string, string> | undefined; registry: TrustRegistryRow | undefined }> {
  const [row] = await sql<{ inserted: boolean; existing: string | null; references: Record<string, string> | null; registry: TrustRegistryRow | null }[]>`
    WITH claimed AS (
      INSERT INTO attestation_nonces (vm_instance_id, nonce, evidence_digest)
      VALUES (${input.vmInstanceId}, ${input.nonce}, ${input.evidenceDigest})
      ON CONFLICT (vm_instance_id, nonce) DO NOTHING
      RETURNING 1
    ), locked AS (
      SELECT *, coalesce(freshness_deadline < now(), false) AS stale FROM runtime_vm_trust_registry
      WHERE vm_instance_id = ${input.vmInstanceId} AND owner_id = ${input.ownerId}
      FOR UPDATE
    )
    SELECT EXISTS (SELECT 1 FROM claimed) AS inserted,
      (SELECT evidence_digest FROM attestation_nonces WHERE vm_instance_id = ${input.vmInstanceId} AND nonce = ${input.nonce}) AS existing,
      (SELECT m.measurements FROM runtime_vm_instances i JOIN server_reference_measurements m ON m.server_id = i.server_id
        WHERE i.id = ${input.vmInstanceId} AND i.owner_id = ${input.ownerId}) AS references,
      (SELECT to_jsonb(locked.*) FROM locked) AS registry`;
  const claim: NonceClaim = row?.inserted ? 'new' : row?.existing === input.evidenceDigest ? 'same-evidence' : 'replayed';
  return { claim, references: row?.references ?? undefined, registry: row?.registry ? reviveRegistry(row.registry) : undefined };
}
