// One tenant's worth of everything a route can name: a server with references, a libvirt VM instance with a
// console log, a spare instance, an approval-gated playbook with a pending run, and a queued attestation job.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEvaluationCertification, upsertTrustLineage } from '../../sql/evaluation-certifications.ts';
import { putReferenceMeasurements } from '../../sql/reference-measurements.ts';
import { insertServer } from '../../sql/servers.ts';
import { insertVmInstance } from '../../sql/vm-instances.ts';
import { verifier, type TestPlatform } from '../support/platform.ts';

export interface TenantFixture {
  owner: string;
  serverId: number;
  vmId: number;
  spareVmId: number;
  playbookId: number;
  runId: number;
  jobId: string;
  decisionId: string;
  evaluationId: number;
  /** A workspace over the playbook (target: the spare instance) at version 2, its revision 1 (version 2) schema-passed. */
  workspaceId: number;
  revisionId: number;
}

/** The tables a tenant's requests can write, for before/after row counts. */
export const tenantTables = [
  'servers', 'runtime_vm_instances', 'runtime_vm_trust_registry', 'runtime_vm_trust_history', 'server_reference_measurements',
  'server_reference_measurement_history', 'runtime_vm_remediation_playbooks', 'runtime_vm_remediation_runs', 'attestation_nonces', 'outbox',
  'placement_decisions', 'placement_overrides', 'runtime_vm_accelerator_posture', 'build_artifact_runs',
  'runtime_vm_remediation_workspaces', 'runtime_vm_remediation_workspace_revisions', 'runtime_vm_remediation_workspace_validation_snapshots',
  'runtime_vm_remediation_workspace_sandbox_executions', 'runtime_vm_remediation_promotions', 'runtime_vm_remediation_promotion_runs',
] as const;

export async function countRows(platform: TestPlatform): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tenantTables) {
    const [row] = await platform.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${platform.db.sql(table)}`;
    counts[table] = row!.n;
  }
  return counts;
}

async function ok<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function createTenantFixture(platform: TestPlatform, owner: string): Promise<TenantFixture> {
  const sql = platform.db.sql;
  const name = `fx-${randomBytes(5).toString('hex')}`;
  const server = await insertServer(sql, owner, { name, description: '', image: 'ghcr.io/acme/mcp:1', metadata: {} });
  const dir = join(tmpdir(), 'mcp-security-fixtures');
  await mkdir(dir, { recursive: true });
  const consoleLog = join(dir, `${name}.log`);
  await writeFile(consoleLog, 'booted\n');
  const instance = (domainName: string, consoleLogPath: string | null) =>
    insertVmInstance(sql, { ownerId: owner, serverId: server.id, driver: 'libvirt', domainName, memoryMib: 512, vcpuCount: 1, isolationTier: 'none', consoleLogPath, actor: 'seed', freshnessSeconds: 3600 });
  const spare = await instance(`${name}-spare`, null);
  const vm = await instance(name, consoleLog);
  await putReferenceMeasurements(sql, { ownerId: owner, serverId: server.id, measurements: { pcr0: 'aa' }, actor: 'seed' });
  const operator = { owner, sub: 'alice', roles: ['operator' as const] };
  const playbook = await ok<{ id: number }>(
    await platform.api('/api/trust/remediation/playbooks', {
      method: 'POST',
      as: operator,
      json: { playbook_key: name, executor_type: 'shell', approval_required: true, plan: { command: '/bin/true', args: [] } },
    }),
    'playbook',
  );
  const run = await ok<{ id: number }>(
    await platform.api('/api/trust/remediation/runs', { method: 'POST', as: operator, json: { playbook_id: playbook.id, vm_instance_id: vm.id } }),
    'run',
  );
  const evidence = { measurements: { pcr0: 'aa' }, nonce: `nonce-${name}`, observed_at: new Date().toISOString() };
  const job = await ok<{ job_id: string }>(
    await platform.api('/api/trust/attestations', { method: 'POST', as: verifier(owner), json: { vm_instance_id: vm.id, evidence, provenance: { verifier: 'seed' } } }),
    'attestation',
  );
  const decision = await ok<{ decision_id: string }>(await platform.api(`/api/servers/${server.id}/placement/evaluate`, { method: 'POST', as: operator }), 'decision');
  const workspace = await ok<{ workspace: { id: number; active_revision_id: number } }>(
    await platform.api('/api/trust/remediation/workspaces', {
      method: 'POST',
      as: operator,
      json: { workspace_key: name, display_name: name, playbook_id: playbook.id, targets: [spare.id] },
    }),
    'workspace',
  );
  const { id: workspaceId, active_revision_id: revisionId } = workspace.workspace;
  await ok(
    await platform.api(`/api/trust/remediation/workspaces/${workspaceId}/revisions/${revisionId}/schema`, { method: 'POST', as: operator, json: { workspace_version: 1, revision_version: 1 } }),
    'schema gate',
  );
  await upsertTrustLineage(sql, { ownerId: owner, serverId: server.id, vmInstanceId: vm.id, attestationStatus: null, remediationAttempts: null });
  const evaluation = await findEvaluationCertification(sql, owner, server.id);
  return { owner, serverId: server.id, vmId: vm.id, spareVmId: spare.id, playbookId: playbook.id, runId: run.id, jobId: job.job_id, decisionId: decision.decision_id, evaluationId: evaluation!.id, workspaceId, revisionId };
}
