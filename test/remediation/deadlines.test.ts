import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { approver, createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from './support.ts';
import { startDispatchWorker } from './worker-process.ts';

let platform: TestPlatform;
const children: ResultPromise[] = [];
beforeAll(async () => {
  // Small deadlines so the delayed jobs themselves fire within the test; only the deadline queue is worked here.
  const env = { REMEDIATION_APPROVAL_TTL_SECONDS: '1', REMEDIATION_WATCHDOG_GRACE_SECONDS: '1' };
  platform = await startTestPlatform({ workers: ['remediation-deadline'], env });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  // Nothing else to end: an attempt's sandboxed processes die with their worker (bwrap --die-with-parent).
  await platform.close();
});

type RunRow = { id: number; status: string; approval_state: string; failure_reason: string | null; version: number };
const registryOf = async (vm: number) =>
  (await platform.db.sql`SELECT remediation_state FROM runtime_vm_trust_registry WHERE vm_instance_id = ${vm}`)[0]?.remediation_state;
const ledgerOf = (runId: number) =>
  platform.db.sql`SELECT attempt, status, failure_reason FROM runtime_vm_remediation_attempts WHERE run_id = ${runId} ORDER BY attempt`;

describe('remediation deadlines', () => {
  it('expires an approval nobody gave in time through the delayed job, freeing the instance', async () => {
    const playbook = await createPlaybook(platform, shellPlaybook('gated', 'true', { approval_required: true }));
    const vm = await createInstance(platform);
    const run = await (await enqueueRun(platform, playbook.id, vm)).json();
    expect(run).toMatchObject({ status: 'pending', approval_state: 'pending' });
    const expired = await waitForRun<RunRow>(platform, run.id, (r) => r.status !== 'pending', 10_000);
    expect(expired).toMatchObject({ status: 'expired', approval_state: 'expired' });
    expect(await registryOf(vm)).toBe('automation-cancelled');
    const late = await platform.api(`/api/trust/remediation/runs/${run.id}/approval`, { method: 'POST', json: { decision: 'approve', version: expired.version }, as: approver() });
    expect(late.status).toBe(409);
    expect((await enqueueRun(platform, playbook.id, vm)).status).toBe(201);
  });

  it('writes off attempts whose worker died unnoticed: the run fails, or ends cancelled when a cancel was asked for', async () => {
    const dies = await createPlaybook(platform, shellPlaybook('dies', 'exec sleep 30', { timeout_seconds: 3, retry_limit: 0 }));
    const cancelled = await createPlaybook(platform, shellPlaybook('dies-cancelled', 'exec sleep 30', { timeout_seconds: 3, retry_limit: 2 }));
    const a = await (await enqueueRun(platform, dies.id, await createInstance(platform))).json();
    const b = await (await enqueueRun(platform, cancelled.id, await createInstance(platform))).json();
    const { child } = await startDispatchWorker(platform, { REMEDIATION_WATCHDOG_GRACE_SECONDS: '1' });
    children.push(child);
    await waitForRun<RunRow>(platform, a.id, (r) => r.status === 'running');
    const running = await waitForRun<RunRow>(platform, b.id, (r) => r.status === 'running');
    // No worker works the execute queue from here on: only the watchdog can account for the attempts.
    child.kill('SIGKILL');
    await child;
    expect((await platform.api(`/api/trust/remediation/runs/${b.id}/cancel`, { method: 'POST', json: { version: running.version } })).status).toBe(202);

    expect(await waitForRun<RunRow>(platform, a.id, (r) => r.status !== 'running')).toMatchObject({ status: 'failed', failure_reason: 'executor-unavailable' });
    expect(await ledgerOf(a.id)).toEqual([{ attempt: 1, status: 'abandoned', failure_reason: 'executor-unavailable' }]);
    expect(await waitForRun<RunRow>(platform, b.id, (r) => r.status !== 'running')).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled' });
    expect(await ledgerOf(b.id)).toEqual([{ attempt: 1, status: 'abandoned', failure_reason: 'executor-unavailable' }]);
  }, 30_000);
});
