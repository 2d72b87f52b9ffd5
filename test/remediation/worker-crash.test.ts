import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from './support.ts';
import { startDispatchWorker } from './worker-process.ts';

let platform: TestPlatform;
const children: ResultPromise[] = [];
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  // Nothing else to end: an attempt's sandboxed processes die with their worker (bwrap --die-with-parent).
  await platform.close();
});

async function startWorker(): Promise<{ child: ResultPromise }> {
  const started = await startDispatchWorker(platform, { REMEDIATION_WORKDIR: `/tmp/remediation-crash-work-${process.pid}` });
  children.push(started.child);
  return started;
}

describe('a worker killed mid-run', () => {
  it('leaves the run recoverable: the next worker writes the attempt off in the ledger and retries it', async () => {
    const script = `if [ "$REMEDIATION_ATTEMPT" = 1 ]; then echo started; sleep 30; fi; echo recovered`;
    const playbook = await createPlaybook(platform, shellPlaybook('crash-safe', script, { retry_limit: 2 }));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    const { child: first } = await startWorker();
    await waitForRun<{ status: string; log_sequence: number }>(platform, run.id, (r) => r.status === 'running' && r.log_sequence >= 2);
    first.kill('SIGKILL');
    await first;
    await startWorker();
    const done = await waitForRun<{ status: string; attempt: number }>(platform, run.id, (r) => r.status === 'succeeded' || r.status === 'failed', 20_000);
    expect(done).toMatchObject({ status: 'succeeded', attempt: 2 });
    const ledger = await platform.db.sql`SELECT attempt, status, failure_reason, failure_class FROM runtime_vm_remediation_attempts WHERE run_id = ${run.id} ORDER BY attempt`;
    expect(ledger).toEqual([
      { attempt: 1, status: 'abandoned', failure_reason: 'executor-unavailable', failure_class: 'transient' },
      { attempt: 2, status: 'succeeded', failure_reason: null, failure_class: null },
    ]);
  }, 45_000);
});
