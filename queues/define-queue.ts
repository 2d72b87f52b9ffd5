// A queue's contract in one value: its name, the zod schema of its payload, and its retry/retention policy.
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';

export interface QueueDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  jobOptions: JobsOptions;
  /** Jobs one worker process runs at once, when the queue needs other than WORKER_CONCURRENCY. */
  concurrency?: number;
}

// Completed jobs are kept for a day so that a re-relayed outbox row with the same jobId is recognised
// as a duplicate instead of running again (see sql/outbox.ts).
export const defaultRetention = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} satisfies JobsOptions;

export function defineQueue<S extends z.ZodType>(name: string, schema: S, jobOptions: JobsOptions = {}, worker: { concurrency?: number } = {}): QueueDefinition<S> {
  return {
    name,
    schema,
    jobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, ...defaultRetention, ...jobOptions },
    ...worker,
  };
}

export type JobData<D extends QueueDefinition> = z.infer<D['schema']>;
