import { QueueEvents } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { createRedis } from '../../queues/redis.ts';
import { sseFanoutQueue } from '../../queues/sse-fanout.ts';
import { databaseEpoch } from '../../sql/database-epoch.ts';
import { streamChannel } from '../../workers/sse-fanout.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { uniquePrefix } from '../support/platform.ts';

const prefix = uniquePrefix();
const redis = createRedis(REDIS_URL);
let queues: Queues;
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  queues = createQueues(redis, prefix, { epoch: await databaseEpoch(db.sql) });
});
afterAll(async () => {
  await queues.close();
  redis.disconnect();
  await db.drop();
});

describe('worker process', () => {
  it('refuses an unknown queue name and lists the known ones', async () => {
    const result = await execa(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--queues', 'sse-fanout,nope'], { reject: false });
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain('unknown queue(s) nope; known queues: attestation-ingest,');
  });

  it('hosts only the chosen queues, serves its job metrics, and exits 0 on SIGTERM', async () => {
    const child = execa(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--queues', 'sse-fanout'], {
      env: { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, WORKER_METRICS_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      reject: false,
    });
    const port = await new Promise<number>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.includes('worker metrics listening')) resolve(JSON.parse(line).port as number);
        }
      });
    });
    const events = new QueueEvents(sseFanoutQueue.name, { connection: createRedis(REDIS_URL, 'subscriber'), prefix: queues.keyPrefix });
    await events.waitUntilReady();
    const subscriber = createRedis(REDIS_URL, 'subscriber');
    const rung = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(message)));
    await subscriber.subscribe(streamChannel(prefix));
    const doorbell = { topic: 'trust-registry' as const, owner_id: 'acme', id: 41 };
    await queues.enqueue(sseFanoutQueue, { doorbells: [doorbell] }, 'probe-1');
    const job = await queues.get(sseFanoutQueue).getJob('probe-1');
    expect(await job!.waitUntilFinished(events, 10_000)).toEqual({ rung: 1 });
    expect(JSON.parse(await rung)).toEqual(doorbell);
    subscriber.disconnect();
    await events.close();

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('mcp_job_duration_seconds_count{queue="sse-fanout",outcome="completed"} 1');

    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(0);
  });
});
