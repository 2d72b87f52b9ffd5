// Fixtures for remediation tests: servers with VM instances (optionally quarantined), playbooks, waiting on runs.
import { waitFor } from '../support/wait.ts';
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { insertServer } from '../../sql/servers.ts';
import { insertVmInstance } from '../../sql/vm-instances.ts';
import type { TestPlatform } from '../support/platform.ts';

export async function createInstance(platform: TestPlatform, options: { owner?: string; quarantined?: boolean } = {}): Promise<number> {
  const owner = options.owner ?? 'acme';
  const sql = platform.db.sql;
  const name = `srv-${randomBytes(4).toString('hex')}`;
  const server = await insertServer(sql, owner, { name, description: '', image: 'ghcr.io/acme/mcp:1', metadata: {} });
  const instance = await insertVmInstance(sql, {
    ownerId: owner, serverId: server.id, driver: 'http', domainName: name, memoryMib: 512, vcpuCount: 1, isolationTier: 'none', actor: 'test', freshnessSeconds: 3600,
  });
  if (options.quarantined ?? true) await sql`UPDATE runtime_vm_trust_registry SET lifecycle_state = 'quarantined', attestation_status = 'untrusted' WHERE vm_instance_id = ${instance.id}`;
  return instance.id;
}

export const shellPlaybook = (key: string, script: string, extra: Record<string, unknown> = {}) => ({
  playbook_key: key,
  executor_type: 'shell',
  approval_required: false,
  retry_limit: 0,
  timeout_seconds: 30,
  plan: { command: '/bin/sh', args: ['-c', script] },
  ...extra,
});

export async function createPlaybook(platform: TestPlatform, body: Record<string, unknown>, owner = 'acme'): Promise<{ id: number; version: number }> {
  const response = await platform.api('/api/trust/remediation/playbooks', { method: 'POST', json: body, as: { owner } });
  if (response.status !== 201) throw new Error(`playbook create failed: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function enqueueRun(platform: TestPlatform, playbookId: number, vmInstanceId: number, owner = 'acme') {
  return platform.api('/api/trust/remediation/runs', { method: 'POST', json: { playbook_id: playbookId, vm_instance_id: vmInstanceId }, as: { owner } });
}

/** Poll the run row until `done` holds (bounded; there is no event to await from the test's side). */
export async function waitForRun<T extends Record<string, unknown>>(platform: TestPlatform, runId: number, done: (run: T) => boolean, ms = 20_000): Promise<T> {
  const read = async () => (await platform.db.sql<T[]>`SELECT * FROM runtime_vm_remediation_runs WHERE id = ${runId}`)[0];
  return (await waitFor(read, (run) => run !== undefined && done(run), { timeoutMs: ms, what: `run ${runId} state` })) as T;
}

export const approver = (sub = 'bob', owner = 'acme') => ({ sub, owner, roles: ['approver' as const] });

/** A scratch directory the sandbox user can traverse (a work directory root, markers). */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * A gated run whose attempts 1–3 find the run's marker file in their work directory (a hard link placed before the
 * run is approved: the sandbox lets a command write only there), approved by an approver. `workdir` is the
 * platform's REMEDIATION_WORKDIR. Answers the run id and the marker's path; `linesOf` reads it.
 */
export async function markedRun(platform: TestPlatform, playbookId: number, workdir: string): Promise<{ id: number; marker: string }> {
  const run = await (await enqueueRun(platform, playbookId, await createInstance(platform))).json();
  const marker = path.join(workdir, `marker-${run.id}`);
  await writeFile(marker, '');
  for (const attempt of [1, 2, 3]) {
    const dir = path.join(workdir, `run-${run.id}`, `attempt-${attempt}`);
    await mkdir(dir, { recursive: true });
    await link(marker, path.join(dir, 'marker'));
  }
  const approved = await platform.api(`/api/trust/remediation/runs/${run.id}/approval`, { method: 'POST', json: { decision: 'approve', version: run.version }, as: approver() });
  if (approved.status !== 200) throw new Error(`approval failed: ${approved.status} ${await approved.text()}`);
  return { id: run.id, marker };
}

export const linesOf = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);
