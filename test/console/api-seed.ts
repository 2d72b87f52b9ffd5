// Console seeds through the public API: servers with a VM instance, playbooks, workspaces (with their schema gate),
// runs and their approval or cancellation. Each write marks the console through its own transaction, as in production.
import { randomBytes } from 'node:crypto';
import type { AuthClaims } from '../../core/schemas/common.ts';
import { tenantAdmin, verifier, type ApiResponse, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function created<T>(response: ApiResponse, what: string): Promise<T> {
  if (response.status !== 201 && response.status !== 200) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function apiInstance(platform: TestPlatform, owner = 'acme'): Promise<{ serverId: number; instanceId: number }> {
  const name = unique('srv');
  const server = await created<{ id: number }>(await platform.api('/api/servers', { method: 'POST', as: { owner }, json: { name, image: 'ghcr.io/acme/mcp:1' } }), 'server');
  const { instance } = await created<{ instance: { id: number } }>(
    await platform.api(`/api/servers/${server.id}/vm-instances`, { method: 'POST', as: { owner }, json: { domain_name: name } }),
    'vm instance',
  );
  return { serverId: server.id, instanceId: instance.id };
}

export async function apiPlaybook(platform: TestPlatform, owner = 'acme', options: { key?: string; approval?: boolean } = {}): Promise<number> {
  const json = { playbook_key: options.key ?? unique('pb'), executor_type: 'shell', approval_required: options.approval ?? false, retry_limit: 5, plan: { command: '/bin/true' } };
  return (await created<{ id: number }>(await platform.api('/api/trust/remediation/playbooks', { method: 'POST', as: { owner }, json }), 'playbook')).id;
}

/** A workspace over `playbookId` whose revision 1 passed the schema gate. */
export async function apiWorkspace(platform: TestPlatform, options: { owner?: string; key: string; playbookId: number }): Promise<{ id: number; revisionId: number }> {
  const as = { owner: options.owner ?? 'acme' };
  const envelope = await created<{ workspace: { id: number; active_revision_id: number } }>(
    await platform.api('/api/trust/remediation/workspaces', { method: 'POST', as, json: { workspace_key: options.key, display_name: `Workspace ${options.key}`, playbook_id: options.playbookId } }),
    'workspace',
  );
  const { id, active_revision_id: revisionId } = envelope.workspace;
  await created(await platform.api(`/api/trust/remediation/workspaces/${id}/revisions/${revisionId}/schema`, { method: 'POST', as, json: { workspace_version: 1, revision_version: 1, notes: ['schema ok'] } }), 'schema gate');
  return { id, revisionId };
}

export async function apiRun(platform: TestPlatform, options: { owner?: string; playbookId: number; instanceId: number; workspaceKey: string; metadata?: Record<string, unknown> }): Promise<{ id: number; version: number }> {
  const json = { playbook_id: options.playbookId, vm_instance_id: options.instanceId, metadata: { workspace_key: options.workspaceKey, ...options.metadata } };
  return created(await platform.api('/api/trust/remediation/runs', { method: 'POST', as: { owner: options.owner ?? 'acme' }, json }), 'run');
}

/** A run on a fresh instance and playbook of `owner`, shown in `workspaceKey`. */
export async function apiRunIn(platform: TestPlatform, owner: string, workspaceKey: string): Promise<number> {
  const { instanceId } = await apiInstance(platform, owner);
  return (await apiRun(platform, { owner, playbookId: await apiPlaybook(platform, owner), instanceId, workspaceKey })).id;
}

export async function apiCancel(platform: TestPlatform, runId: number, as: Partial<AuthClaims> & { owner: string }, reason = 'operator stop'): Promise<ApiResponse> {
  const run = await (await platform.api(`/api/trust/remediation/runs/${runId}`, { as })).json();
  return platform.api(`/api/trust/remediation/runs/${runId}/cancel`, { method: 'POST', as, json: { version: run.version, reason } });
}

export async function apiAbandon(platform: TestPlatform, owner: string, workspaceId: number): Promise<void> {
  const read = await platform.api(`/api/trust/remediation/workspaces/${workspaceId}`, { as: { owner } });
  const version = Number(JSON.parse(read.headers.get('etag') ?? '0'));
  await created(await platform.api(`/api/trust/remediation/workspaces/${workspaceId}/abandon`, { method: 'POST', as: { owner }, json: { expected_version: version, reason: 'done' } }), 'abandon');
}

/**
 * Attest the instance against its server's reference measurements (the attestation-ingest worker makes it trusted)
 * and wait for the score that trust change recomputes (trust-transition, score-recompute); answers the score.
 */
export async function apiTrust(platform: TestPlatform, owner: string, serverId: number, instanceId: number): Promise<number> {
  await created(await platform.api(`/api/servers/${serverId}/reference-measurements`, { method: 'PUT', as: tenantAdmin(owner), json: { measurements: { pcr0: 'aa' } } }), 'references');
  const evidence = { measurements: { pcr0: 'aa' }, nonce: unique('nonce'), observed_at: new Date().toISOString() };
  const accepted = await platform.api('/api/trust/attestations', { method: 'POST', as: verifier(owner), json: { vm_instance_id: instanceId, evidence, provenance: { verifier: 'console-test' } } });
  if (accepted.status !== 202) throw new Error(`attestation: ${accepted.status} ${await accepted.text()}`);
  const read = async () => (await platform.api(`/api/servers/${serverId}/intelligence`, { as: { owner } })).json();
  return (await waitFor(read, (view: { stored: boolean; score: number }) => view.stored, { what: 'the recomputed score' })).score;
}
