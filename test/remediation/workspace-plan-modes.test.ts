// Simulations of shell and cloud plans through their declared plan mode (the cloud API is a loopback fake), a plan
// without one (inconclusive), and a promotion that stops at the first failed run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, reply, type FakeApi } from '../executors/cloud-server.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { approver, createInstance } from './support.ts';
import { createWorkspace, gate, workspaces, type Versions } from './workspace-support.ts';

let platform: TestPlatform;
let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi();
  platform = await startTestPlatform({
    workers: ['workspace-simulate', 'workspace-promote', 'remediation-execute'],
    env: { REMEDIATION_WORKDIR: `/tmp/mcp-workspace-modes-${process.pid}`, REMEDIATION_CLOUD_ALLOW_LOOPBACK: 'true' },
  });
});
afterAll(async () => {
  await platform.close();
  await api.close();
});

const envelopeOf = async (id: number) => {
  const response = await platform.api(`${workspaces}/${id}`);
  return { body: await response.json(), version: Number(JSON.parse(response.headers.get('etag') ?? '0')) };
};

async function simulate(id: number, versions: Versions) {
  const schema = await gate(platform, id, versions, 'schema');
  const policy = await gate(platform, id, schema.next, 'policy');
  const overridden = policy.body.actions.can_override ? (await gate(platform, id, policy.next, 'policy', { override: { reason: 'test' } }, approver())).next : policy.next;
  expect((await gate(platform, id, overridden, 'simulation')).response.status).toBe(202);
  return waitFor(() => envelopeOf(id), ({ body }) => body.revisions.at(-1).revision.simulation_status !== 'running', { timeoutMs: 60_000, what: 'simulation settled' });
}

const playbook = (executor: string, plan: Record<string, unknown>, approval = true) => ({ playbook_key: `${executor}-${Math.random().toString(36).slice(2, 8)}`, executor_type: executor, approval_required: approval, retry_limit: 0, plan });

describe('simulation plan modes', () => {
  it('calls the cloud plan mode endpoint and records its answer as the diff', { timeout: 120_000 }, async () => {
    api.handle((req, res) => reply(res, 200, { would_change: ['instance-type'], path: req.url }));
    const vm = await createInstance(platform, { quarantined: false });
    const { id, versions } = await createWorkspace(platform, { targets: [vm], playbook: playbook('cloud', { url: `${api.base}/apply`, simulate: { method: 'POST', url: `${api.base}/plan` } }) });
    const { body } = await simulate(id, versions);
    expect(body.sandbox_executions.at(-1)).toMatchObject({ simulator_kind: 'cloud-plan-mode', gate_status: 'passed', tasks: [{ host: 'cloud', result: 'changed' }] });
    expect(body.sandbox_executions.at(-1).tasks[0].diff).toContain('instance-type');
    expect(api.received.map((request) => request.url)).toContain('/plan');
    expect(api.received.map((request) => request.url)).not.toContain('/apply');
  });

  it('is inconclusive for a shell plan without a plan mode, and promotes nothing', { timeout: 120_000 }, async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const { id, versions } = await createWorkspace(platform, { targets: [vm], playbook: playbook('shell', { command: '/bin/true' }) });
    const { body } = await simulate(id, versions);
    expect(body.sandbox_executions.at(-1).tasks).toEqual([{ host: 'plan', task: 'plan mode', result: 'unsupported' }]);
    expect(body.revisions.at(-1)).toMatchObject({ revision: { simulation_status: 'inconclusive' }, actions: { can_promote: false } });
  });

  it('stops staging after the first failed run when stop_on_first_failure', { timeout: 120_000 }, async () => {
    const targets = [await createInstance(platform, { quarantined: false }), await createInstance(platform, { quarantined: false }), await createInstance(platform, { quarantined: false })];
    const plan = { command: '/bin/sh', args: ['-c', 'exit 3'], simulate: { command: '/bin/sh', args: ['-c', 'exit 2'] } };
    const { id, versions } = await createWorkspace(platform, { targets, playbook: playbook('shell', plan, false) });
    await simulate(id, versions);
    const { body, version } = await envelopeOf(id);
    const ready = { workspace: version, revision: body.revisions.at(-1).revision.version, revisionId: versions.revisionId };
    expect((await gate(platform, id, ready, 'promotion', { max_parallel: 1, stop_on_first_failure: true })).response.status).toBe(202);
    const done = await waitFor(() => envelopeOf(id), ({ body: now }) => now.promotions[0]?.status === 'failed', { timeoutMs: 60_000, what: 'promotion failed' });
    expect(done.body.promotions[0].promotion_runs.map((run: { phase: string }) => run.phase)).toEqual(['failed', 'skipped', 'skipped']);
    expect(done.body.revisions.at(-1).revision).toMatchObject({ state: 'rejected', promotion_status: 'failed' });
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_runs WHERE vm_instance_id = ANY(${targets}::bigint[])`;
    expect(row?.n).toBe(1);
  });
});
