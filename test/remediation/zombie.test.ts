import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJobId } from '../../queues/remediation-execute.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['remediation-execute'], env: { REMEDIATION_LEASE_MS: '600' } });
});
afterAll(() => platform.close());

describe('an attempt whose fencing token is superseded', () => {
  it('stops at its next lease renewal and records nothing: no log line, no outcome, no status', async () => {
    const playbook = await createPlaybook(platform, shellPlaybook('zombie', 'echo started; sleep 20; echo finished'));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    const running = await waitForRun<{ status: string; log_sequence: number; version: number }>(platform, run.id, (r) => r.status === 'running' && r.log_sequence >= 2);
    // What a second claim of the run does first: the token moves on, and attempt 1 no longer holds the run.
    await platform.db.sql`UPDATE runtime_vm_remediation_runs SET fence = fence + 1 WHERE id = ${run.id}`;

    const queue = platform.clients.queues.get('remediation-execute');
    const answer = await waitFor(async () => (await queue.getJob(executeJobId(run.id, 1)))?.returnvalue as Record<string, unknown> | undefined, Boolean, { what: 'the job to end' });
    expect(answer).toMatchObject({ attempt: 1, result: 'cancelled', status: 'already-recorded' });
    const [attempt] = await platform.db.sql`SELECT status, finished_at FROM runtime_vm_remediation_attempts WHERE run_id = ${run.id}`;
    expect(attempt).toEqual({ status: 'running', finished_at: null });
    const [after] = await platform.db.sql`SELECT status, version, log_sequence FROM runtime_vm_remediation_runs WHERE id = ${run.id}`;
    expect(after).toEqual({ status: 'running', version: running.version, log_sequence: running.log_sequence });
  });
});
