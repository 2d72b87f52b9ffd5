import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJobId } from '../../queues/remediation-execute.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createPlaybook, linesOf, markedRun, scratchDir, shellPlaybook, waitForRun } from './support.ts';
import { startDispatchWorker } from './worker-process.ts';

let platform: TestPlatform;
/** The workers' REMEDIATION_WORKDIR, which also holds the runs' markers. */
let workdir: string;
const children: ResultPromise[] = [];
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  workdir = await scratchDir('remediation-fencing-');
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await platform.close();
});

// Answers `{ child }`: an execa subprocess is a thenable, and an async function returning it would wait for its exit.
async function startWorker(env: Record<string, string> = {}): Promise<{ child: ResultPromise }> {
  const started = await startDispatchWorker(platform, { REMEDIATION_WORKDIR: workdir, REMEDIATION_RETRY_BASE_MS: '100', ...env });
  children.push(started.child);
  return started;
}

// Every execution holds an exclusive lock on the run's marker for as long as any of its processes lives, and writes
// `overlap` when it cannot take it: another execution of the same run is still alive. Attempt 1 never finishes.
const script = [
  'exec 9>>marker',
  'flock -n 9 || echo "overlap $REMEDIATION_ATTEMPT" >> marker',
  'echo "start $REMEDIATION_ATTEMPT" >> marker',
  'echo started',
  'if [ "$REMEDIATION_ATTEMPT" = 1 ]; then sleep 20; fi',
  'echo "finish $REMEDIATION_ATTEMPT" >> marker',
].join('\n');

const ledgerOf = (runId: number) =>
  platform.db.sql`SELECT attempt, status FROM runtime_vm_remediation_attempts WHERE run_id = ${runId} ORDER BY attempt`;
const runningStarted = (r: { status: string; log_sequence: number }) => r.status === 'running' && r.log_sequence >= 2;
const ended = (r: { status: string }) => ['succeeded', 'failed', 'cancelled'].includes(r.status);

describe('one live execution per run', () => {
  it('aborts an attempt whose job lock is deleted, and starts the retry only after it is gone', async () => {
    const { child } = await startWorker({ WORKER_LOCK_DURATION_MS: '2000' });
    try {
      const playbook = await createPlaybook(platform, shellPlaybook('lock-lost', script, { approval_required: true, retry_limit: 2 }));
      const run = await markedRun(platform, playbook.id, workdir);
      await waitForRun(platform, run.id, runningStarted);
      // Whichever comes first, the failed lock renewal or the stalled job's delivery again to this same worker,
      // stops attempt 1.
      expect(await platform.clients.redis.del(`${platform.clients.queues.keyPrefix}:remediation-execute:${executeJobId(run.id, 1)}:lock`)).toBe(1);
      expect(await waitForRun(platform, run.id, ended)).toMatchObject({ status: 'succeeded', attempt: 2 });
      expect(await linesOf(run.marker)).toEqual(['start 1', 'start 2', 'finish 2']);
      expect(await ledgerOf(run.id)).toEqual([{ attempt: 1, status: 'abandoned' }, { attempt: 2, status: 'succeeded' }]);
    } finally {
      // The next case's runs must not land on this worker, which nobody kills.
      child.kill('SIGTERM');
      await child;
    }
  }, 60_000);

  it('recovers 10 runs from a SIGKILLed worker within the lock + stall + lease bound, never two executions at once', async () => {
    const { child: first } = await startWorker({ WORKER_CONCURRENCY: '10' });
    const playbook = await createPlaybook(platform, shellPlaybook('killed-worker', script, { approval_required: true, retry_limit: 2 }));
    const runs = await Promise.all(Array.from({ length: 10 }, () => markedRun(platform, playbook.id, workdir)));
    await Promise.all(runs.map((run) => waitForRun(platform, run.id, runningStarted)));
    first.kill('SIGKILL');
    await first;
    await startWorker({ WORKER_CONCURRENCY: '10' });
    // The bound here (docs/remediation.md): 1 s lock + 0.5 s stall check, 1 s lease, 0.1 s retry delay, plus startup;
    // the wait allows for ten sandbox starts on a loaded 2-core machine (bench/, not this test, measures recovery).
    const done = await Promise.all(runs.map((run) => waitForRun(platform, run.id, ended, 40_000)));
    expect(done.map((run) => run.status)).toEqual(runs.map(() => 'succeeded'));
    for (const run of runs) expect(await linesOf(run.marker)).toEqual(['start 1', 'start 2', 'finish 2']);
  }, 90_000);
});
