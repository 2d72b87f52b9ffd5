// Moves committed outbox rows into BullMQ. jobId = outbox id (or the row's domain id), so relaying twice is harmless.
// A row that cannot be enqueued fails alone: its error is kept on the row and it is retried with backoff.
import type { Logger } from 'pino';
import type { Sql } from '../sql/db.ts';
import { claimOutboxBatch, markOutboxFailed, markOutboxRelayed, OUTBOX_CHANNEL, outboxJobId, pruneOutbox, type OutboxRow } from '../sql/outbox.ts';
import type { Queues } from '../queues/queues.ts';

const BATCH = 500;
const PRUNE_AFTER_SECONDS = 24 * 3600;

const asJob = (row: OutboxRow) => ({
  name: row.job_name,
  data: row.payload,
  opts: { jobId: outboxJobId(row), ...(row.job_options.delay ? { delay: row.job_options.delay } : {}) },
});

/** Enqueue outbox rows under their deterministic jobIds, a queue at a time (`transact()`'s fast path). */
export async function publishOutboxRows(queues: Queues, rows: OutboxRow[]): Promise<void> {
  const byQueue = new Map<string, OutboxRow[]>();
  for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
  for (const [queue, batch] of byQueue) await queues.get(queue).addBulk(batch.map(asJob));
}

/**
 * Enqueue rows and say which failed: a queue's batch goes in one `addBulk`; when that fails, its rows are tried
 * one by one, so one row BullMQ rejects (or an unknown queue) fails alone.
 */
export async function publishEach(queues: Queues, rows: OutboxRow[]): Promise<{ done: number[]; failed: { row: OutboxRow; error: unknown }[] }> {
  const done: number[] = [];
  const failed: { row: OutboxRow; error: unknown }[] = [];
  const byQueue = new Map<string, OutboxRow[]>();
  for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
  for (const batch of byQueue.values()) {
    try {
      await publishOutboxRows(queues, batch);
      done.push(...batch.map((row) => row.id));
    } catch {
      for (const row of batch) {
        try {
          await queues.get(row.queue).add(row.job_name, row.payload, asJob(row).opts);
          done.push(row.id);
        } catch (error) {
          failed.push({ row, error });
        }
      }
    }
  }
  return { done, failed };
}

/** Backoff of a failing row: 1 s, 2 s, 4 s … capped at 5 minutes. */
export const retryDelayMs = (attempts: number) => Math.min(300_000, 1_000 * 2 ** Math.min(attempts, 20));

export interface OutboxRelay {
  /** Relay everything committed so far; resolves with the number of rows moved. */
  drain(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createOutboxRelay(deps: { sql: Sql; queues: Queues; logger: Logger; sweepMs: number }): OutboxRelay {
  const { sql, queues, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let listener: { unlisten: () => Promise<void> } | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let sweeps = 0;

  async function relayBatch(): Promise<{ claimed: number; moved: number }> {
    return sql.begin(async (tx) => {
      const rows = await claimOutboxBatch(tx, BATCH);
      const { done, failed } = await publishEach(queues, rows);
      await markOutboxRelayed(tx, done);
      for (const { row, error } of failed) {
        const attempts = row.attempts ?? 0;
        logger.error({ err: error, outboxId: row.id, queue: row.queue, attempts: attempts + 1 }, 'outbox row not enqueued; retrying it alone later');
        await markOutboxFailed(tx, row.id, error instanceof Error ? error.message : String(error), retryDelayMs(attempts));
      }
      return { claimed: rows.length, moved: done.length };
    });
  }

  async function drainAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, moved } = await relayBatch();
      total += moved;
      if (claimed < BATCH) return total;
    }
  }

  // Coalesces doorbells: at most one drain runs, and one more follows if rung meanwhile.
  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = drainAll().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void drain().catch((error: unknown) => logger.error({ err: error }, 'outbox relay failed'));
      }
    });
    return running;
  }

  const kick = () => void drain().catch((error: unknown) => logger.error({ err: error }, 'outbox relay failed'));

  return {
    drain,
    async start() {
      listener = await sql.listen(OUTBOX_CHANNEL, kick, kick);
      timer = setInterval(() => {
        kick();
        if (++sweeps % 600 === 0) void pruneOutbox(sql, PRUNE_AFTER_SECONDS).catch((error: unknown) => logger.warn({ err: error }, 'outbox prune failed'));
      }, deps.sweepMs);
    },
    async stop() {
      clearInterval(timer);
      await listener?.unlisten();
      await running?.catch(() => 0);
    },
  };
}
