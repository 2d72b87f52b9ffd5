// Runs BullMQ workers for a chosen set of queues: payload validation, error classification, metrics, graceful close.
import { UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { isAppError } from '../core/errors.ts';
import type { JobData, QueueDefinition } from '../queues/define-queue.ts';
import { createRedis, type RedisClient, type RedisTarget } from '../queues/redis.ts';

/** A job handler: receives the validated payload and the job's AbortSignal. */
export type JobHandler<T = unknown> = (data: T, job: Job, signal: AbortSignal | undefined) => Promise<unknown>;

export type HandlerMap = Map<string, JobHandler<never>>;

/**
 * Register `handler` for `definition`. The compiler checks the handler takes the queue's payload type; the
 * one cast below is sound because the host parses every payload with `definition.schema` before calling it.
 */
export function setHandler<D extends QueueDefinition>(handlers: HandlerMap, definition: D, handler: JobHandler<JobData<D>>): void {
  handlers.set(definition.name, handler as JobHandler<never>);
}

export interface HostedQueue {
  definition: QueueDefinition;
  handler: JobHandler<never>;
}

export interface WorkerHost {
  workers: Map<string, Worker>;
  /** Stop taking jobs, let active ones finish (up to `timeoutMs`), then close connections. */
  close(timeoutMs: number): Promise<{ forced: boolean }>;
}

function wrap(hosted: HostedQueue, logger: Logger, durations?: Histogram<'queue' | 'outcome'>): Processor {
  const { definition, handler } = hosted;
  // The deliveries this process is running, by job id. BullMQ tracks a job's lock by id alone: when a job whose lock
  // was lost is delivered again to this same process, the new delivery's lock takes the old one's place, so the old
  // one's renewal never fails and BullMQ never reports its loss. A second delivery is that report: stop the first.
  const running = new Map<string, AbortController>();
  return async (job, _token, signal) => {
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        `invalid-job-data: ${parsed.error.issues.map((issue) => issue.path.join('.') + ' ' + issue.message).join('; ')}`,
      );
    }
    const id = job.id ?? '';
    const earlier = running.get(id);
    if (earlier !== undefined) {
      logger.warn({ queue: definition.name, jobId: id }, 'job delivered again while running here: its lock was lost; aborting the earlier delivery');
      earlier.abort(new Error('job lock lost'));
    }
    const delivery = new AbortController();
    running.set(id, delivery);
    const stop = durations?.startTimer({ queue: definition.name });
    try {
      const result = await (handler as JobHandler)(parsed.data, job, signal ? AbortSignal.any([signal, delivery.signal]) : delivery.signal);
      stop?.({ outcome: 'completed' });
      return result;
    } catch (error) {
      stop?.({ outcome: 'failed' });
      if (isAppError(error) && !error.retryable) {
        logger.warn({ queue: definition.name, jobId: job.id, code: error.code }, 'job failed permanently');
        throw new UnrecoverableError(`${error.code}: ${error.detail}`);
      }
      throw error;
    } finally {
      if (running.get(id) === delivery) running.delete(id);
    }
  };
}

export function startWorkerHost(options: {
  redis: RedisTarget;
  prefix: string;
  queues: HostedQueue[];
  concurrency: number;
  logger: Logger;
  durations?: Histogram<'queue' | 'outcome'>;
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  /** Told of every job that completed (after BullMQ recorded it): marks its outbox row done. */
  onCompleted?: (queue: string, jobId: string) => void;
}): WorkerHost {
  const { logger } = options;
  const workers = new Map<string, Worker>();
  // BullMQ closes the connections it made itself, never one it was handed: these are ours to end.
  const connections: RedisClient[] = [];
  for (const hosted of options.queues) {
    const name = hosted.definition.name;
    const connection = createRedis(options.redis, 'worker');
    connections.push(connection);
    const worker = new Worker(name, wrap(hosted, logger, options.durations), {
      connection,
      prefix: options.prefix,
      concurrency: hosted.definition.concurrency ?? options.concurrency,
      ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
      ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
    });
    worker.on('error', (error) => logger.error({ err: error, queue: name }, 'worker error'));
    worker.on('completed', (job) => {
      if (job.id !== undefined) options.onCompleted?.(name, job.id);
    });
    worker.on('failed', (job, error) =>
      logger.warn({ queue: name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'job failed'),
    );
    worker.on('stalled', (jobId) => logger.warn({ queue: name, jobId }, 'job stalled; it will be retried'));
    // A lost lock means another worker may be handed this job: stop the handler now instead of running beside it.
    // BullMQ only reports the loss; aborting the job's signal is ours to do.
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const jobId of jobIds) {
        logger.warn({ queue: name, jobId }, 'job lock lost; aborting the job');
        worker.cancelJob(jobId, 'job lock lost');
      }
    });
    workers.set(name, worker);
  }

  return {
    workers,
    async close(timeoutMs) {
      const graceful = Promise.all([...workers.values()].map((worker) => worker.close())).then(() => false);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<true>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      const forced = await Promise.race([graceful, deadline]);
      clearTimeout(timer);
      if (forced) {
        // Abort cooperative handlers (executors kill their processes); the rest are released when this process
        // exits: their locks expire and another worker re-runs them as stalled jobs.
        logger.warn({ timeoutMs }, 'shutdown timeout reached; releasing active jobs');
        for (const worker of workers.values()) worker.cancelAllJobs('worker shutting down');
        // A forced close leaves BullMQ's own connections (the blocking one) open: drop them.
        await Promise.all([...workers.values()].map((worker) => worker.disconnect()));
      }
      // Ended directly, without waiting on anything: BullMQ's disconnect after a graceful close could wait for
      // ever on a Redis Cluster client that had already ended, and left alone they kept the process from exiting.
      for (const connection of connections) connection.disconnect();
      return { forced };
    },
  };
}
