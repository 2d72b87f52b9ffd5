// The producer side of every queue: one BullMQ Queue per definition, created on first use, sharing one Redis client.
// Keys live under `{<QUEUE_PREFIX>:<database epoch>}` (sql/database-epoch.ts), so each database has its own jobs.
// The braces are a Redis Cluster hash tag: only the part inside them picks the slot, so every key of a deployment
// (all queues, their jobs, locks and events) is in one slot. That is what BullMQ's multi-key scripts, our pipelines
// across queues (presence, duplicate checks) and any parent/child flow between queues need; a second deployment
// (another prefix or database) hashes to another slot. Standalone Redis ignores the braces.
import { isDeepStrictEqual } from 'node:util';
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from './redis.ts';
import { queueCatalog } from './catalog.ts';
import type { JobData, QueueDefinition } from './define-queue.ts';

export interface NewJob {
  name: string;
  data: Record<string, unknown>;
  opts: JobsOptions & { jobId: string };
}

/** A job id that was already taken by a job with other data: BullMQ kept the existing job and dropped this one. */
export interface JobConflict {
  queue: string;
  jobId: string;
}

export type JobPresence = 'missing' | 'finished' | 'pending';

export interface Queues {
  /** QUEUE_PREFIX: the prefix of the Redis pub/sub channels (stream doorbells, cancel bus). */
  readonly prefix: string;
  /** The BullMQ key prefix: `{<prefix>:<epoch>}` (just `{<prefix>}` without an epoch). Workers must use the same. */
  readonly keyPrefix: string;
  get(definition: QueueDefinition | string): Queue;
  all(): Queue[];
  /** Validate `data` against the queue's schema and add it under a deterministic `jobId`. */
  enqueue<D extends QueueDefinition>(definition: D, data: JobData<D>, jobId: string, options?: JobsOptions): Promise<string>;
  /** Add jobs to one queue in one round trip, then check that every id holds the data given (see onConflict). */
  addBulk(queue: string, jobs: NewJob[]): Promise<void>;
  /** Where each job is, in one round trip: gone, finished (completed, or failed for good), or still on its way. */
  presence(jobs: { queue: string; jobId: string }[]): Promise<JobPresence[]>;
  close(): Promise<void>;
}

/** The hash-tagged BullMQ prefix of a deployment: one Redis Cluster slot for all its keys. */
export const queueKeyPrefix = (prefix: string, epoch?: string) => `{${epoch === undefined ? prefix : `${prefix}:${epoch}`}}`;

export function createQueues(redis: RedisClient, prefix: string, options: { epoch?: string; onConflict?: (conflict: JobConflict) => void } = {}): Queues {
  const queues = new Map<string, Queue>();
  const definitions = new Map(queueCatalog.map((definition) => [definition.name, definition]));
  const keyPrefix = queueKeyPrefix(prefix, options.epoch);
  const onConflict = options.onConflict ?? (() => {});

  const get = (ref: QueueDefinition | string): Queue => {
    const definition = typeof ref === 'string' ? definitions.get(ref) : ref;
    if (definition === undefined) throw new Error(`unknown queue ${String(ref)}`);
    let queue = queues.get(definition.name);
    if (queue === undefined) {
      queue = new Queue(definition.name, { connection: redis, prefix: keyPrefix, defaultJobOptions: definition.jobOptions });
      queue.on('error', () => {}); // connection errors surface through readiness checks and callers' awaits
      queues.set(definition.name, queue);
    }
    return queue;
  };

  // BullMQ answers a duplicate id with the id alone: read back what each id holds and compare (key order aside).
  async function checkDuplicates(queue: Queue, jobs: NewJob[]): Promise<void> {
    const pipeline = redis.pipeline();
    for (const job of jobs) pipeline.hget(queue.toKey(job.opts.jobId), 'data');
    const stored = (await pipeline.exec()) ?? [];
    jobs.forEach((job, index) => {
      const held = stored[index]?.[1];
      if (typeof held === 'string' && !isDeepStrictEqual(JSON.parse(held), JSON.parse(JSON.stringify(job.data)))) {
        onConflict({ queue: queue.name, jobId: job.opts.jobId });
      }
    });
  }

  async function addBulk(name: string, jobs: NewJob[]): Promise<void> {
    const queue = get(name);
    await queue.addBulk(jobs);
    await checkDuplicates(queue, jobs);
  }

  return {
    prefix,
    keyPrefix,
    get,
    all: () => queueCatalog.map((definition) => get(definition)),
    async enqueue(definition, data, jobId, jobOptions = {}) {
      const payload = definition.schema.parse(data) as Record<string, unknown>;
      await addBulk(definition.name, [{ name: definition.name, data: payload, opts: { ...jobOptions, jobId } }]);
      return jobId;
    },
    addBulk,
    async presence(jobs) {
      if (jobs.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const job of jobs) pipeline.hmget(get(job.queue).toKey(job.jobId), 'timestamp', 'finishedOn');
      const replies = (await pipeline.exec()) ?? [];
      return jobs.map((_job, index) => {
        const [timestamp, finishedOn] = (replies[index]?.[1] ?? [null, null]) as (string | null)[];
        if (timestamp === null) return 'missing';
        return finishedOn === null ? 'pending' : 'finished';
      });
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      queues.clear();
    },
  };
}
