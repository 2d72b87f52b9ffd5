import type { ResultPromise } from 'execa';
import { link, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJobId } from '../../queues/remediation-execute.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { approver, createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from './support.ts';
import { startDispatchWorker } from './worker-process.ts';

let platform: TestPlatform;
let scratch: string;
const children: ResultPromise[] = [];
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  scratch = await mkdtemp(path.join(tmpdir(), 'remediation-fencing-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await platform.close();
});

const workdir = () => path.join(scratch, 'work');
// Answers `{ child }`: an execa subprocess is a thenable, and an async function returning it would wait for its exit.
async function startWorker(env: Record<string, string> = {}): Promise<{ child: ResultPromise }> {
  const started = await startDispatchWorker(platform, { REMEDIATION_WORKDIR: workdir(), REMEDIATION_RETRY_BASE_MS: '100', ...env });
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

/**
 * A gated run whose attempts find the run's marker in their work directory (a hard link placed before the run is
 * approved: the sandbox lets a command write only there). Answers the run and its marker's path.
 */
async function markedRun(playbookId: number): Promise<{ id: number; marker: string }> {
  const run = await (await enqueueRun(platform, playbookId, await createInstance(platform))).json();
  const marker = path.join(scratch, `marker-${run.id}`);
  await writeFile(marker, '');
  for (const attempt of [1, 2, 3]) {
    const dir = path.join(workdir(), `run-${run.id}`, `attempt-${attempt}`);
    await mkdir(dir, { recursive: true });
    await link(marker, path.join(dir, 'marker'));
  }
  const approved = await platform.api(`/api/trust/remediation/runs/${run.id}/approval`, { method: 'POST', json: { decision: 'approve', version: run.version }, as: approver() });
  expect(approved.status).toBe(200);
  return { id: run.id, marker };
}

const executionsOf = async (marker: string) => (await readFile(marker, 'utf8')).split('\n').filter(Boolean);
const ledgerOf = (runId: number) =>
  platform.db.sql`SELECT attempt, status FROM runtime_vm_remediation_attempts WHERE run_id = ${runId} ORDER BY attempt`;
const runningStarted = (r: { status: string; log_sequence: number }) => r.status === 'running' && r.log_sequence >= 2;
const ended = (r: { status: string }) => ['succeeded', 'failed', 'cancelled'].includes(r.status);

describe('one live execution per run', () => {
  it('aborts an attempt whose job lock is deleted, and starts the retry only after it is gone', async () => {
    await startWorker({ WORKER_LOCK_DURATION_MS: '2000' });
    const playbook = await createPlaybook(platform, shellPlaybook('lock-lost', script, { approval_required: true, retry_limit: 2 }));
    const run = await markedRun(playbook.id);
    await waitForRun(platform, run.id, runningStarted);
    expect(await platform.clients.redis.del(`${platform.config.QUEUE_PREFIX}:remediation-execute:${executeJobId(run.id, 1)}:lock`)).toBe(1);
    expect(await waitForRun(platform, run.id, ended)).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(await executionsOf(run.marker)).toEqual(['start 1', 'start 2', 'finish 2']);
    expect(await ledgerOf(run.id)).toEqual([{ attempt: 1, status: 'abandoned' }, { attempt: 2, status: 'succeeded' }]);
  }, 30_000);

  it('recovers 10 runs from a SIGKILLed worker within the lock + stall + lease bound, never two executions at once', async () => {
    const { child: first } = await startWorker({ WORKER_CONCURRENCY: '10' });
    const playbook = await createPlaybook(platform, shellPlaybook('killed-worker', script, { approval_required: true, retry_limit: 2 }));
    const runs = await Promise.all(Array.from({ length: 10 }, () => markedRun(playbook.id)));
    await Promise.all(runs.map((run) => waitForRun(platform, run.id, runningStarted)));
    first.kill('SIGKILL');
    await first;
    await startWorker({ WORKER_CONCURRENCY: '10' });
    // The bound here (docs/remediation.md): 1 s lock + 0.5 s stall check, 1 s lease, 0.1 s retry delay, plus startup.
    const done = await Promise.all(runs.map((run) => waitForRun(platform, run.id, ended, 15_000)));
    expect(done.map((run) => run.status)).toEqual(runs.map(() => 'succeeded'));
    for (const run of runs) expect(await executionsOf(run.marker)).toEqual(['start 1', 'start 2', 'finish 2']);
  }, 45_000);
});
