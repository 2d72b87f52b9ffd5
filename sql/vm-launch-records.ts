// What the vm-launch worker and the VM routes read and write on runtime_vm_instances beyond registration:
// the latest instance with its trust snapshot, and the instance's status as the provisioner moves it.
import type { TrustSnapshot } from '../core/placement-gate.ts';
import type { Server } from '../core/schemas/servers.ts';
import type { Queryable } from './db.ts';
import { explainMissedWrite } from './servers.ts';
import type { VmInstance } from './vm-instances.ts';

export interface InstanceWithTrust {
  instance: VmInstance;
  trust: (TrustSnapshot & { version: number; updated_at: Date }) | undefined;
}

/** The server's newest instance, terminated or not (a stopped quarantined VM must still block relaunch). */
export async function findLatestInstanceWithTrust(sql: Queryable, ownerId: string, serverId: number): Promise<InstanceWithTrust | undefined> {
  const [row] = await sql<{ instance: VmInstance; trust: InstanceWithTrust['trust'] | null }[]>`
    SELECT to_jsonb(i) AS instance,
           CASE WHEN r.vm_instance_id IS NULL THEN NULL ELSE jsonb_build_object(
             'lifecycle_state', r.lifecycle_state, 'attestation_status', r.attestation_status,
             'remediation_state', r.remediation_state, 'remediation_attempts', r.remediation_attempts,
             'freshness_deadline', r.freshness_deadline, 'provenance', r.provenance,
             'version', r.version, 'updated_at', r.updated_at) END AS trust
    FROM runtime_vm_instances i
    LEFT JOIN runtime_vm_trust_registry r ON r.vm_instance_id = i.id
    WHERE i.server_id = ${serverId} AND i.owner_id = ${ownerId}
    ORDER BY i.id DESC
    LIMIT 1`;
  if (row === undefined) return undefined;
  return { instance: row.instance, trust: row.trust ?? undefined };
}

export async function findInstanceByDomain(sql: Queryable, driver: string, domainName: string): Promise<VmInstance | undefined> {
  const [row] = await sql<VmInstance[]>`
    SELECT * FROM runtime_vm_instances WHERE driver = ${driver} AND domain_name = ${domainName} ORDER BY id DESC LIMIT 1`;
  return row;
}

export async function setInstanceStatus(
  sql: Queryable,
  id: number,
  status: string,
  options: { terminate?: boolean; metadata?: Record<string, unknown> } = {},
): Promise<void> {
  await sql`
    UPDATE runtime_vm_instances SET
      status = ${status},
      metadata = metadata || ${sql.json((options.metadata ?? {}) as never)},
      terminated_at = CASE WHEN ${options.terminate ?? false} THEN coalesce(terminated_at, now()) ELSE terminated_at END,
      version = version + 1,
      updated_at = now()
    WHERE id = ${id}`;
}

/** Mark a server as asked to launch/stop, guarded by the version the client read when it sent one. */
export async function markVmActionRequested(
  sql: Queryable,
  ownerId: string,
  serverId: number,
  status: 'launch-requested' | 'stopping',
  expectedVersion: number | undefined,
): Promise<Server> {
  const [row] = await sql<Server[]>`
    UPDATE servers SET status = ${status}, version = version + 1, updated_at = now()
    WHERE id = ${serverId} AND owner_id = ${ownerId}
      ${expectedVersion === undefined ? sql`` : sql`AND version = ${expectedVersion}`}
    RETURNING *`;
  return row ?? (await explainMissedWrite(sql, ownerId, serverId, expectedVersion ?? 0));
}
