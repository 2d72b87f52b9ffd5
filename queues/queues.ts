// The producer side of every queue: one BullMQ Queue per definition, created on first use, sharing one Redis client.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueCatalog } from './catalog.ts';
import type { JobData, QueueDefinition } from './define-queue.ts';

export interface Queues {
  readonly prefix: string;
  get(definition: QueueDefinition | string): Queue;
  all(): Queue[];
  /** Validate `data` against the queue's schema and add it under a deterministic `jobId`. */
  enqueue<D extends QueueDefinition>(definition: D, data: JobData<D>, jobId: string, options?: JobsOptions): Promise<string>;
  close(): Promise<void>;
}

export function createQueues(redis: Redis, prefix: string): Queues {
  const queues = new Map<string, Queue>();
  const definitions = new Map(queueCatalog.map((definition) => [definition.name, definition]));

  const get = (ref: QueueDefinition | string): Queue => {
    const definition = typeof ref === 'string' ? definitions.get(ref) : ref;
    if (definition === undefined) throw new Error(`unknown queue ${String(ref)}`);
    let queue = queues.get(definition.name);
    if (queue === undefined) {
      queue = new Queue(definition.name, { connection: redis, prefix, defaultJobOptions: definition.jobOptions });
      queue.on('error', () => {}); // connection errors surface through readiness checks and callers' awaits
      queues.set(definition.name, queue);
    }
    return queue;
  };

  return {
    prefix,
    get,
    all: () => queueCatalog.map((definition) => get(definition)),
    async enqueue(definition, data, jobId, options = {}) {
      const payload = definition.schema.parse(data);
      const job = await get(definition).add(definition.name, payload, { ...options, jobId });
      return job.id ?? jobId;
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      queues.clear();
    },
  };
}
