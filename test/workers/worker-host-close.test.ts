// A worker host's close ends the Redis connections it handed its workers: BullMQ ends only the ones it made, and a
// connection left open keeps the process from exiting once its work is done.
import type { Redis } from 'ioredis';
import { once } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineQueue } from '../../queues/define-queue.ts';
import { startWorkerHost } from '../../workers/worker-host.ts';
import { REDIS_URL } from '../support/env.ts';

const definition = (name: string) => defineQueue(name, z.object({}));

describe('worker host close', () => {
  it('ends every connection it gave its workers, after a graceful close', async () => {
    const host = startWorkerHost({
      redis: { url: REDIS_URL, clusterNodes: [] },
      prefix: `host-close-${process.pid}-${Date.now()}`,
      queues: ['one', 'two'].map((name) => ({ definition: definition(name), handler: async () => undefined })),
      concurrency: 1,
      logger: pino({ level: 'silent' }),
    });
    const workers = [...host.workers.values()];
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    const connections = workers.map((worker) => worker.opts.connection as Redis);
    expect(connections.map((connection) => connection.status)).toEqual(['ready', 'ready']);
    expect(await host.close(5_000)).toEqual({ forced: false });
    // Ended, not waiting to reconnect: each reports `end` (the test times out if one is left open).
    await Promise.all(connections.map((connection) => (connection.status === 'end' ? undefined : once(connection, 'end'))));
    expect(connections.map((connection) => connection.status)).toEqual(['end', 'end']);
  }, 15_000);
});
