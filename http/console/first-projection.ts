// A console client's first snapshot of an owner never projected whole (a new owner, or data older than the
// console-project job): enqueue the owner's full projection and wait for it, so the snapshot is not empty merely
// because no job ran yet. The API only waits; a worker projects. QueueEvents opens its connection on first use.
import { QueueEvents } from 'bullmq';
import type { Logger } from 'pino';
import { consoleProjectQueue, firstJobId } from '../../queues/console-project.ts';
import type { Queues } from '../../queues/queues.ts';
import { createRedis, type RedisTarget } from '../../queues/redis.ts';
import { wasReconciled } from '../../sql/console-marks.ts';
import type { Sql } from '../../sql/db.ts';

/** Past this the snapshot goes out as it is (no worker up?); the projection's deltas follow it when one runs. */
const WAIT_MS = 30_000;

export interface FirstProjection {
  /** Resolves once the owner has been projected whole (at once when it already was). */
  ensure(ownerId: string): Promise<void>;
  close(): Promise<void>;
}

export function createFirstProjection(deps: { sql: Sql; queues: Queues; redis: RedisTarget; logger: Logger }): FirstProjection {
  let events: QueueEvents | undefined;
  const listen = async () => {
    if (events === undefined) {
      events = new QueueEvents(consoleProjectQueue.name, { connection: createRedis(deps.redis, 'subscriber'), prefix: deps.queues.keyPrefix });
      events.on('error', (error) => deps.logger.warn({ err: error }, 'console-project queue events connection error'));
    }
    await events.waitUntilReady();
    return events;
  };
  return {
    async ensure(ownerId) {
      try {
        if (await wasReconciled(deps.sql, ownerId)) return;
        const listening = await listen();
        const jobId = firstJobId(ownerId, Math.floor(Date.now() / 60_000));
        await deps.queues.enqueue(consoleProjectQueue, { owner_id: ownerId, scope: 'full' }, jobId);
        await (await deps.queues.get(consoleProjectQueue).getJob(jobId))?.waitUntilFinished(listening, WAIT_MS);
      } catch (error) {
        // A missing first projection costs completeness of this snapshot only: the deltas bring the rest.
        deps.logger.warn({ err: error, ownerId }, 'first console projection not finished; streaming the snapshot as it is');
      }
    },
    async close() {
      await events?.close();
      events = undefined;
    },
  };
}
