import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { marker, processesWith } from '../executors/context.ts';
import { approver, createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from './support.ts';

let platform: TestPlatform;
const workdir = `/tmp/mcp-remediation-test-${process.pid}`;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['remediation-execute', 'remediation-deadline', 'sse-fanout'], env: { REMEDIATION_WORKDIR: workdir, REMEDIATION_RETRY_BASE_MS: '250' } });
});
afterAll(() => platform.close());

type RunRow = { id: number; status: string; attempt: number; failure_reason: string | null; failure_class: string | null };
const terminal = (run: RunRow) => ['succeeded', 'failed', 'cancelled'].includes(run.status);
const runFor = async (script: string, extra: Record<string, unknown> = {}) => {
  const playbook = await createPlaybook(platform, shellPlaybook(`pb-${Math.random().toString(36).slice(2, 8)}`, script, extra));
  const vm = await createInstance(platform);
  return { vm, run: await (await enqueueRun(platform, playbook.id, vm)).json() };
};

describe('remediation dispatch', () => {
  it('runs an approved shell playbook, stores its log bundle, and moves the registry to restored', async () => {
    const { vm, run } = await runFor('echo "fixing $REMEDIATION_VM_INSTANCE_ID"; echo warn >&2');
    const done = await waitForRun<RunRow>(platform, run.id, terminal);
    expect(done).toMatchObject({ status: 'succeeded', attempt: 1, failure_reason: null });
    const artifacts = (await (await platform.api(`/api/trust/remediation/runs/${run.id}/artifacts`)).json()).items;
    const bundle = artifacts.find((a: { artifact_type: string }) => a.artifact_type === 'log-bundle');
    expect(bundle.content).toContain(`stdout fixing ${vm}`);
    expect(bundle.content).toContain('stderr warn');
    expect(artifacts.map((a: { name: string }) => a.name)).toContain('run-summary.json');
    const [registry] = await platform.db.sql`SELECT lifecycle_state, remediation_state FROM runtime_vm_trust_registry WHERE vm_instance_id = ${vm}`;
    expect(registry).toEqual({ lifecycle_state: 'restored', remediation_state: 'automation-complete' });
    const history = await platform.db.sql`SELECT remediation_state FROM runtime_vm_trust_history WHERE vm_instance_id = ${vm} AND trigger = 'remediation' ORDER BY id`;
    expect(history.map((row) => row.remediation_state)).toEqual(['automation-pending', 'automation-running', 'automation-complete']);
  });

  it('fails a structural failure at once, with one ledger entry', async () => {
    const { vm, run } = await runFor('exit 3', { retry_limit: 3 });
    const done = await waitForRun<RunRow>(platform, run.id, terminal);
    expect(done).toMatchObject({ status: 'failed', attempt: 1, failure_reason: 'playbook-bug', failure_class: 'structural' });
    const ledger = (await (await platform.api(`/api/trust/remediation/runs/${run.id}`)).json()).retry_ledger;
    expect(ledger).toMatchObject([{ attempt: 1, status: 'failed', exit_code: 3, failure_class: 'structural' }]);
    const [registry] = await platform.db.sql`SELECT lifecycle_state, remediation_state FROM runtime_vm_trust_registry WHERE vm_instance_id = ${vm}`;
    expect(registry).toEqual({ lifecycle_state: 'quarantined', remediation_state: 'automation-failed' });
  });

  it('retries a transient failure with the configured backoff until the playbook limit, recording every attempt', async () => {
    const { run } = await runFor('exit 75', { retry_limit: 1 });
    const done = await waitForRun<RunRow>(platform, run.id, terminal);
    expect(done).toMatchObject({ status: 'failed', attempt: 2, failure_reason: 'dependency-outage', failure_class: 'transient' });
    const ledger = (await (await platform.api(`/api/trust/remediation/runs/${run.id}`)).json()).retry_ledger;
    expect(ledger).toMatchObject([
      { attempt: 1, status: 'failed', retry_delay_ms: 250, idempotency_key: `remediation-run-${run.id}-attempt-1` },
      { attempt: 2, status: 'failed', retry_delay_ms: null, idempotency_key: `remediation-run-${run.id}-attempt-2` },
    ]);
  });

  // The second run's job names the playbook's first version, which this worker has cached from the first run: its
  // sandbox is set up for that plan while the claim commits, and the claim answers the second version instead.
  it('runs the playbook version its claim committed when the cached plan of the job is out of date', async () => {
    const tag = marker();
    const created = await createPlaybook(platform, shellPlaybook(`pb-${tag}`, `echo first ${tag}`, { approval_required: true }));
    const approve = async (run: { id: number; version: number }) =>
      expect((await platform.api(`/api/trust/remediation/runs/${run.id}/approval`, { method: 'POST', json: { decision: 'approve', version: run.version }, as: approver() })).status).toBe(200);
    const first = await (await enqueueRun(platform, created.id, await createInstance(platform))).json();
    await approve(first);
    await waitForRun<RunRow>(platform, first.id, terminal);
    const second = await (await enqueueRun(platform, created.id, await createInstance(platform))).json();
    const patched = await platform.api(`/api/trust/remediation/playbooks/${created.id}`, { method: 'PATCH', json: { version: created.version, plan: { command: '/bin/sh', args: ['-c', `echo second ${tag}`] } } });
    expect(patched.status).toBe(200);
    await approve(second);
    expect(await waitForRun<RunRow>(platform, second.id, terminal)).toMatchObject({ status: 'succeeded', attempt: 1 });
    const lines = async (runId: number) => (await platform.db.sql<{ line: string }[]>`SELECT line FROM runtime_vm_remediation_log_events WHERE run_id = ${runId} AND stream = 'stdout' ORDER BY sequence`).map((row) => row.line);
    expect(await lines(first.id)).toEqual([`first ${tag}`]);
    expect(await lines(second.id)).toEqual([`second ${tag}`]);
    expect(processesWith(tag)).toEqual([]);
  });

  it('cancels a running run: the process tree is gone and the run is cancelled', async () => {
    // The command runs in the sandbox's own PID namespace: find its child on the host by a unique argument.
    const tag = marker();
    const { run } = await runFor(`sleep ${tag} & echo started; wait`);
    await waitForLogLine(run.id, 'started');
    expect(processesWith(`sleep\0${tag}`)).toHaveLength(1);
    const current = await (await platform.api(`/api/trust/remediation/runs/${run.id}`)).json();
    const response = await platform.api(`/api/trust/remediation/runs/${run.id}/cancel`, { method: 'POST', json: { version: current.version, reason: 'operator stop' } });
    expect(response.status).toBe(202);
    const done = await waitForRun<RunRow & { cancelled_by: string }>(platform, run.id, terminal);
    expect(done).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled', failure_class: 'cancelled', cancelled_by: 'alice' });
    const ledger = (await (await platform.api(`/api/trust/remediation/runs/${run.id}`)).json()).retry_ledger;
    expect(ledger).toMatchObject([{ attempt: 1, status: 'cancelled' }]);
    expect(processesWith(`sleep\0${tag}`)).toEqual([]);
  });
});

async function waitForLogLine(runId: number, line: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const rows = await platform.db.sql`SELECT 1 FROM runtime_vm_remediation_log_events WHERE run_id = ${runId} AND line = ${line}`;
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`log line ${line} never appeared`);
}
