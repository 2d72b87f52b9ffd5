// Moves committed outbox rows into BullMQ. jobId = outbox id (or the row's domain id), so relaying twice is harmless.
import type { Logger } from 'pino';
import type { Sql } from '../sql/db.ts';
import { claimOutboxBatch, markOutboxRelayed, OUTBOX_CHANNEL, outboxJobId, pruneOutbox, type OutboxRow } from '../sql/outbox.ts';
import type { Queues } from '../queues/queues.ts';

const BATCH = 500;
const PRUNE_AFTER_SECONDS = 24 * 3600;

/** Enqueue outbox rows under their deterministic jobIds (used by the relay and by `transact()`'s fast path). */
export async function publishOutboxRows(queues: Queues, rows: OutboxRow[]): Promise<void> {
  const byQueue = new Map<string, OutboxRow[]>();
  for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
  for (const [queue, batch] of byQueue) {
    await queues.get(queue).addBulk(
      batch.map((row) => ({
        name: row.job_name,
        data: row.payload,
        opts: { jobId: outboxJobId(row), ...(row.job_options.delay ? { delay: row.job_options.delay } : {}) },
      })),
    );
  }
}

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

  async function relayBatch(): Promise<number> {
    return sql.begin(async (tx) => {
      const rows = await claimOutboxBatch(tx, BATCH);
      await publishOutboxRows(queues, rows);
      await markOutboxRelayed(tx, rows.map((row) => row.id));
      return rows.length;
    });
  }

  async function drainAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await relayBatch();
      total += moved;
      if (moved < BATCH) return total;
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
