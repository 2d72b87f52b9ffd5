// The facts a workspace gate reads and binds to: the trust-registry rows of the revision's targets (owner-scoped)
// and the catalog playbook the workspace drafts.
import { AppError } from '../core/errors.ts';
import type { Bindings } from '../core/workspace-bindings.ts';
import type { Playbook } from '../core/schemas/remediation.ts';
import type { Queryable } from './db.ts';
import type { TrustRegistryRow } from './trust-registry.ts';
import type { RevisionRow, WorkspaceRow } from './workspaces.ts';

/** Registry rows of `targets` in the caller's order; a target the owner does not have is a 404. */
export async function readTargets(sql: Queryable, ownerId: string, targets: number[]): Promise<TrustRegistryRow[]> {
  const rows = await sql<TrustRegistryRow[]>`
    SELECT *, coalesce(freshness_deadline < now(), false) AS stale FROM runtime_vm_trust_registry
    WHERE owner_id = ${ownerId} AND vm_instance_id = ANY(${targets}::bigint[])`;
  const byId = new Map(rows.map((row) => [row.vm_instance_id, row]));
  return targets.map((id) => {
    const row = byId.get(id);
    if (row === undefined) throw new AppError('vm-instance-not-found', `VM instance ${id} does not exist`);
    return row;
  });
}

export async function readWorkspacePlaybook(sql: Queryable, workspace: WorkspaceRow, lock = false): Promise<Playbook> {
  const [row] = await sql<Playbook[]>`
    SELECT * FROM runtime_vm_remediation_playbooks
    WHERE id = ${workspace.playbook_id} AND owner_id = ${workspace.owner_id} AND deleted_at IS NULL ${lock ? sql`FOR UPDATE` : sql``}`;
  if (row === undefined) throw new AppError('playbook-not-found', `the playbook of workspace ${workspace.id} no longer exists`);
  return row;
}

export const registryVersions = (rows: Pick<TrustRegistryRow, 'vm_instance_id' | 'version'>[]): Record<string, number> =>
  Object.fromEntries(rows.map((row) => [String(row.vm_instance_id), row.version]));

/** What a gate judging `revision` now would bind to. */
export function currentBindings(revision: RevisionRow, playbook: Pick<Playbook, 'version'>, targets: TrustRegistryRow[]): Bindings {
  return { plan_sha256: revision.plan_sha256, playbook_version: playbook.version, registry_versions: registryVersions(targets) };
}
