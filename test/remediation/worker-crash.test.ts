import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../support/env.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from './support.ts';

let platform: TestPlatform;
const children: ResultPromise[] = [];
const pidFile = `/tmp/remediation-crash-${process.pid}`;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  // The first attempt's process outlived its SIGKILLed worker (nothing can reap a SIGKILLed parent's group); end it.
  await readFile(pidFile, 'utf8').then((pid) => process.kill(-Number(pid), 'SIGKILL')).catch(() => undefined);
  await platform.close();
});

// Wrapped: an execa subprocess is a thenable, and an async function returning it would wait for its exit.
async function startWorker(): Promise<{ child: ResultPromise }> {
  const child = execa(process.execPath, ['--import', 'tsx', 'test/remediation/fixtures/dispatch-worker.ts'], {
    // A fresh environment: the vitest fork's own variables (its IPC channel among them) must not leak into the worker.
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: platform.db.url, REDIS_URL, QUEUE_PREFIX: platform.config.QUEUE_PREFIX, LOG_LEVEL: 'silent', REMEDIATION_WORKDIR: `/tmp/remediation-crash-work-${process.pid}` },
    reject: false,
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', () => reject(new Error('worker exited before it was ready')));
  });
  return { child };
}

describe('a worker killed mid-run', () => {
  it('leaves the run recoverable: the next worker writes the attempt off in the ledger and retries it', async () => {
    const script = `if [ "$REMEDIATION_ATTEMPT" = 1 ]; then echo $$ > ${pidFile}; echo started; sleep 30; fi; echo recovered`;
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
