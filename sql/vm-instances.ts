// runtime_vm_instances: one row per VM a server runs. Registering an instance also opens its trust registry
// entry (lifecycle `pending`, attestation `unknown`) and the first history row, in the caller's transaction.
import { z } from 'zod';
import type { IsolationTier } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import type { Queryable } from './db.ts';
import { upsertTrustLineage } from './evaluation-certifications.ts';

export const credentialSnapshot = z.object({ username: z.string().optional(), password: z.enum(['supplied', 'absent']).optional() });
export type CredentialSnapshot = z.infer<typeof credentialSnapshot>;

export interface VmInstance {
  id: number;
  owner_id: string;
  server_id: number;
  driver: string;
  domain_name: string;
  memory_mib: number;
  vcpu_count: number;
  isolation_tier: IsolationTier;
  status: string;
  console_log_path: string | null;
  credential_snapshot: CredentialSnapshot;
  metadata: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
  terminated_at: Date | null;
}

export interface NewVmInstance {
  ownerId: string;
  serverId: number;
  driver: string;
  domainName: string;
  memoryMib: number;
  vcpuCount: number;
  isolationTier: IsolationTier;
  status?: string;
  consoleLogPath?: string | null;
  credentialSnapshot?: CredentialSnapshot;
  metadata?: Record<string, unknown>;
  actor: string;
  freshnessSeconds: number;
}

export async function insertVmInstance(sql: Queryable, input: NewVmInstance): Promise<VmInstance> {
  const [instance] = await sql<VmInstance[]>`
    INSERT INTO runtime_vm_instances
      (owner_id, server_id, driver, domain_name, memory_mib, vcpu_count, isolation_tier, status, console_log_path, credential_snapshot, metadata)
    SELECT ${input.ownerId}, s.id, ${input.driver}, ${input.domainName}, ${input.memoryMib}, ${input.vcpuCount}, ${input.isolationTier},
           ${input.status ?? 'registered'}, ${input.consoleLogPath ?? null},
           ${sql.json((input.credentialSnapshot ?? {}) as never)}, ${sql.json((input.metadata ?? {}) as never)}
    FROM servers s WHERE s.id = ${input.serverId} AND s.owner_id = ${input.ownerId}
    RETURNING *`;
  if (instance === undefined) throw new AppError('server-not-found', `server ${input.serverId} does not exist`);
  await sql`
    WITH registry AS (
      INSERT INTO runtime_vm_trust_registry (vm_instance_id, owner_id, server_id, freshness_deadline)
      VALUES (${instance.id}, ${input.ownerId}, ${input.serverId}, now() + make_interval(secs => ${input.freshnessSeconds}))
      RETURNING *
    )
    INSERT INTO runtime_vm_trust_history
      (vm_instance_id, owner_id, server_id, registry_version, lifecycle_state, attestation_status, trigger, actor, reason, freshness_deadline)
    SELECT vm_instance_id, owner_id, server_id, version, lifecycle_state, attestation_status, 'registered', ${input.actor},
           'instance registered', freshness_deadline
    FROM registry`;
  await upsertTrustLineage(sql, { ownerId: input.ownerId, serverId: input.serverId, vmInstanceId: instance.id, attestationStatus: null, remediationAttempts: null });
  return instance;
}

export async function findVmInstance(sql: Queryable, ownerId: string, id: number): Promise<VmInstance | undefined> {
  const [row] = await sql<VmInstance[]>`SELECT * FROM runtime_vm_instances WHERE id = ${id} AND owner_id = ${ownerId}`;
  return row;
}

/** The server's current (not terminated) instance, newest first. */
export async function findCurrentVmInstance(sql: Queryable, ownerId: string, serverId: number): Promise<VmInstance | undefined> {
  const [row] = await sql<VmInstance[]>`
    SELECT * FROM runtime_vm_instances
    WHERE server_id = ${serverId} AND owner_id = ${ownerId} AND terminated_at IS NULL
    ORDER BY id DESC LIMIT 1`;
  return row;
}
