// A job whose lock is lost can be delivered again to the very process still running it. BullMQ tracks a lock by job
// id, so the new delivery's lock replaces the old one's and the old delivery is never told; the worker host stops it.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineQueue } from '../../queues/define-queue.ts';
import { setHandler, startWorkerHost, type HandlerMap, type WorkerHost } from '../../workers/worker-host.ts';
import { REDIS_URL } from '../support/env.ts';

const prefix = `redelivery-${process.pid}-${Date.now()}`;
const definition = defineQueue('redelivered', z.object({ n: z.number() }), { attempts: 1 });
const redis = new Redis(REDIS_URL);
const queue = new Queue(definition.name, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix });
let host: WorkerHost | undefined;

afterAll(async () => {
  // The second delivery waits for an abort: the forced close gives it one.
  await host?.close(200);
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
});

describe('a job delivered again to the process running it', () => {
  it('aborts the earlier delivery, which its lost lock never reported, and leaves the new one running', async () => {
    const deliveries: { signal: AbortSignal; reason?: unknown }[] = [];
    let second!: () => void;
    const secondStarted = new Promise<void>((resolve) => (second = resolve));
    const handlers: HandlerMap = new Map();
    setHandler(handlers, definition, (_data, _job, signal) => {
      const delivery = { signal: signal! };
      deliveries.push(delivery);
      if (deliveries.length === 2) second();
      return new Promise((_resolve, reject) => signal!.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    });
    // A lock renewed only every 30 s: the stalled check, every 100 ms, re-delivers the job long before a renewal
    // could fail. Two slots, so the same process takes the re-delivered job beside the first.
    host = startWorkerHost({
      redis: { url: REDIS_URL, clusterNodes: [] },
      prefix,
      queues: [{ definition, handler: handlers.get(definition.name)! }],
      concurrency: 2,
      logger: pino({ level: 'silent' }),
      stalledIntervalMs: 100,
      lockDurationMs: 60_000,
    });
    const job = await queue.add('redelivered', { n: 1 }, { jobId: 'one', ...definition.jobOptions });
    await new Promise<void>((resolve) => host!.workers.get(definition.name)!.once('active', () => resolve()));
    expect(await redis.del(`${prefix}:${definition.name}:${job.id}:lock`)).toBe(1);
    await secondStarted;
    expect(deliveries[0]!.signal.aborted).toBe(true);
    expect((deliveries[0]!.signal.reason as Error).message).toBe('job lock lost');
    expect(deliveries[1]!.signal.aborted).toBe(false);
  }, 30_000);
});
