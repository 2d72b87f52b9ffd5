// Seeds for lifecycle console tests written with SQL, for what no route makes (data older than the console-project
// job, the delta-log property's raw flips and deletions, statement counting over many rows); test/console/api-seed.ts
// makes the rest through the public API. Also a test file's own database with a Db to project with.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { Sql } from '../../sql/db.ts';
import { createDb, type Db } from '../../sql/transact.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertServer } from '../../sql/servers.ts';
import { insertVmInstance } from '../../sql/vm-instances.ts';

export async function seedInstance(sql: Sql, owner = 'acme'): Promise<{ serverId: number; instanceId: number }> {
  const name = `srv-${randomBytes(4).toString('hex')}`;
  const server = await insertServer(sql, owner, { name, description: '', image: 'ghcr.io/acme/mcp:1', metadata: {} });
  const instance = await insertVmInstance(sql, { ownerId: owner, serverId: server.id, driver: 'http', domainName: name, memoryMib: 512, vcpuCount: 1, isolationTier: 'none', actor: 'test', freshnessSeconds: 3600 });
  return { serverId: server.id, instanceId: instance.id };
}

export async function seedPlaybook(sql: Sql, owner = 'acme', key = 'verify-automation'): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO runtime_vm_remediation_playbooks (owner_id, playbook_key, executor_type, approval_required, retry_limit, plan)
    VALUES (${owner}, ${key}, 'shell', false, 5, ${sql.json({ command: '/bin/true' })}) RETURNING id`;
  return row!.id;
}

export async function seedWorkspace(sql: Sql, options: { owner?: string; key: string; state?: string }): Promise<{ id: number; revisionId: number }> {
  const owner = options.owner ?? 'acme';
  return sql.begin(async (tx) => {
    const [workspace] = await tx<{ id: number }[]>`
      INSERT INTO runtime_vm_remediation_workspaces (owner_id, workspace_key, display_name, lifecycle_state, created_by)
      VALUES (${owner}, ${options.key}, ${`Workspace ${options.key}`}, ${options.state ?? 'draft'}, 'alice') RETURNING id`;
    const [revision] = await tx<{ id: number }[]>`
      INSERT INTO runtime_vm_remediation_workspace_revisions (workspace_id, revision_number, created_by, schema_status, policy_status)
      VALUES (${workspace!.id}, 1, 'alice', 'passed', 'passed') RETURNING id`;
    await tx`UPDATE runtime_vm_remediation_workspaces SET active_revision_id = ${revision!.id} WHERE id = ${workspace!.id}`;
    await tx`
      INSERT INTO runtime_vm_remediation_workspace_validation_snapshots (workspace_id, revision_id, snapshot_type, gate_context, notes, recorded_by)
      VALUES (${workspace!.id}, ${revision!.id}, 'schema', ${tx.json({ lane: 'prod' })}, ${tx.json(['schema ok'])}, 'validator')`;
    return { id: workspace!.id, revisionId: revision!.id };
  }) as Promise<{ id: number; revisionId: number }>;
}

export async function seedRun(sql: Sql, options: { owner?: string; instanceId: number; playbookId: number; workspaceKey?: string; status?: string; metadata?: Record<string, unknown> }): Promise<number> {
  const [run] = await sql<{ id: number }[]>`
    INSERT INTO runtime_vm_remediation_runs (owner_id, vm_instance_id, playbook_id, playbook_version, status, approval_state, requested_by, sla_deadline, retry_limit, metadata)
    VALUES (${options.owner ?? 'acme'}, ${options.instanceId}, ${options.playbookId}, 1, ${options.status ?? 'succeeded'}, 'auto-approved', 'alice',
      now() + interval '1 hour', 5, ${sql.json({ ...(options.workspaceKey === undefined ? {} : { workspace_key: options.workspaceKey }), ...options.metadata } as never)})
    RETURNING id`;
  return run!.id;
}

/** A database of the test file's own (made before its tests, dropped after) and a Db on it to project with. */
export function consoleDatabase(): { readonly db: TestDatabase; readonly writer: Db } {
  const state = {} as { db: TestDatabase; writer: Db };
  beforeAll(async () => {
    state.db = await createTestDatabase();
    state.writer = createDb(state.db.sql);
  });
  afterAll(async () => state.db?.drop());
  return state;
}
