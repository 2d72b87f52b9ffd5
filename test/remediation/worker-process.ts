// Starts the dispatch worker fixture as a real child process against a test platform, for tests that kill it.
import { execa, type ResultPromise } from 'execa';
import { REDIS_URL } from '../support/env.ts';
import type { TestPlatform } from '../support/platform.ts';

// Wrapped: an execa subprocess is a thenable, and an async function returning it would wait for its exit.
export async function startDispatchWorker(platform: TestPlatform, env: Record<string, string> = {}): Promise<{ child: ResultPromise }> {
  const child = execa(process.execPath, ['--import', 'tsx', 'test/remediation/fixtures/dispatch-worker.ts'], {
    // A fresh environment: the vitest fork's own variables (its IPC channel among them) must not leak into the worker.
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: platform.db.url,
      REDIS_URL,
      QUEUE_PREFIX: platform.config.QUEUE_PREFIX,
      LOG_LEVEL: 'silent',
      REMEDIATION_WORKDIR: `/tmp/remediation-worker-${process.pid}`,
      WORKER_CONCURRENCY: '2',
      // Short enough that a dead worker's attempt is recovered within a few seconds (docs/remediation.md bounds).
      WORKER_LOCK_DURATION_MS: '1000',
      WORKER_STALLED_INTERVAL_MS: '500',
      REMEDIATION_LEASE_MS: '1000',
      ...env,
    },
    reject: false,
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', () => reject(new Error('worker exited before it was ready')));
  });
  return { child };
}
