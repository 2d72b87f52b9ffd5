import { Queue, QueueEvents } from 'bullmq';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../queues/redis.ts';
import { REDIS_URL } from '../support/env.ts';
import { uniquePrefix } from '../support/platform.ts';

const prefix = uniquePrefix();
const redis = createRedis(REDIS_URL);
const queue = new Queue('slow', { connection: redis, prefix });
let events: QueueEvents;

beforeAll(async () => {
  events = new QueueEvents('slow', { connection: createRedis(REDIS_URL, 'subscriber'), prefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await events.close();
  await queue.close();
  redis.disconnect();
});

function startWorker(env: Record<string, string>): ResultPromise {
  return execa(process.execPath, ['--import', 'tsx', 'test/fixtures/slow-worker.ts'], {
    env: { QUEUE_PREFIX: prefix, REDIS_URL, LOG_LEVEL: 'silent', ...env },
    reject: false,
  });
}

async function ready(child: ResultPromise): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', () => reject(new Error('worker exited before it was ready')));
  });
}

const activated = (jobId: string) =>
  new Promise<void>((resolve) => {
    const onActive = ({ jobId: id }: { jobId: string }) => {
      if (id !== jobId) return;
      events.off('active', onActive);
      resolve();
    };
    events.on('active', onActive);
  });

describe('graceful shutdown', () => {
  it('finishes the active job on SIGTERM, then exits 0 with nothing left active', async () => {
    const child = startWorker({ JOB_MS: '800' });
    await ready(child);
    const isActive = activated('finish-me');
    await queue.add('slow', { label: 'finish-me' }, { jobId: 'finish-me' });
    await isActive;
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    const job = await queue.getJob('finish-me');
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toMatchObject({ done: 'finish-me' });
    expect(await queue.getActiveCount()).toBe(0);
  });

  it('releases a job that outlives the shutdown timeout, and another worker completes it', async () => {
    const first = startWorker({ JOB_MS: '4000', SHUTDOWN_TIMEOUT_MS: '200' });
    await ready(first);
    const isActive = activated('release-me');
    await queue.add('slow', { label: 'release-me' }, { jobId: 'release-me' });
    await isActive;
    first.kill('SIGTERM');
    expect((await first).exitCode).toBe(0);

    const second = startWorker({ JOB_MS: '50' });
    await ready(second);
    const job = await queue.getJob('release-me');
    const value = await job!.waitUntilFinished(events, 20_000);
    expect(value).toMatchObject({ done: 'release-me', pid: second.pid });
    second.kill('SIGTERM');
    expect((await second).exitCode).toBe(0);
    expect(await queue.getActiveCount()).toBe(0);
  });
});
