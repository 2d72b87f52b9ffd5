// Moves committed outbox rows into BullMQ and sees them through to the end. jobId = outbox id (or the row's domain
// id), so relaying twice is harmless. A row that cannot be enqueued fails alone: its error is kept on the row and it
// is retried with backoff. A row is done when its job finished (workers mark it, see markJobsDone); a row enqueued
// longer than `recheckSeconds` ago and not done is looked up in Redis: a finished job marks it done, a job Redis no
// longer holds (restarted without persistence, flushed, or pruned) is added again — processors are idempotent.
import type { Logger } from 'pino';
import type { Sql } from '../sql/db.ts';
import {
  claimOutboxBatch, claimUnfinishedBatch, markOutboxDone, markOutboxFailed, markOutboxRelayed, OUTBOX_CHANNEL, outboxJobId, pruneOutbox, touchOutboxRelayed, type OutboxRow,
} from '../sql/outbox.ts';
import type { NewJob, Queues } from '../queues/queues.ts';

const BATCH = 500;
const PRUNE_AFTER_SECONDS = 24 * 3600;

const asJob = (row: OutboxRow, now = Date.now()): NewJob => {
  // A delay counts from when the row was written: a late (re-)enqueue keeps the job's original due time.
  const delay = row.job_options.delay ? Math.max(0, row.job_options.delay - (row.created_at ? now - row.created_at.getTime() : 0)) : 0;
  return { name: row.job_name, data: row.payload, opts: { jobId: outboxJobId(row), ...(delay > 0 ? { delay } : {}) } };
};

const isDelayed = (row: OutboxRow) => (row.job_options.delay ?? 0) > 0;

const byQueue = (rows: OutboxRow[]) => {
  const grouped = new Map<string, OutboxRow[]>();
  for (const row of rows) grouped.set(row.queue, [...(grouped.get(row.queue) ?? []), row]);
  return grouped;
};

/** Enqueue outbox rows under their deterministic jobIds, one addBulk per queue, all at once (`transact()`'s fast path). */
export async function publishOutboxRows(queues: Queues, rows: OutboxRow[]): Promise<void> {
  // Queues side by side: a run's dispatch job does not wait behind its deadline job's hand-off. Redis runs the
  // scripts in the order they arrive, so queues with a job due now are sent before those holding only delayed ones.
  const batches = [...byQueue(rows)].sort(([, a], [, b]) => Number(a.every(isDelayed)) - Number(b.every(isDelayed)));
  await Promise.all(batches.map(([queue, batch]) => queues.addBulk(queue, batch.map((row) => asJob(row)))));
}

/**
 * Enqueue rows and say which failed: a queue's batch goes in one `addBulk`; when that fails, its rows are tried
 * one by one, so one row BullMQ rejects (or an unknown queue) fails alone.
 */
export async function publishEach(queues: Queues, rows: OutboxRow[]): Promise<{ done: number[]; failed: { row: OutboxRow; error: unknown }[] }> {
  const done: number[] = [];
  const failed: { row: OutboxRow; error: unknown }[] = [];
  for (const batch of byQueue(rows).values()) {
    try {
      await publishOutboxRows(queues, batch);
      done.push(...batch.map((row) => row.id));
    } catch {
      for (const row of batch) {
        try {
          await queues.addBulk(row.queue, [asJob(row)]);
          done.push(row.id);
        } catch (error) {
          failed.push({ row, error });
        }
      }
    }
  }
  return { done, failed };
}

/** Run `batch` until it claims less than a full batch; resolves with the rows it moved in all. */
async function everyBatch(batch: () => Promise<{ claimed: number; moved: number }>): Promise<number> {
  let total = 0;
  for (;;) {
    const { claimed, moved } = await batch();
    total += moved;
    if (claimed < BATCH) return total;
  }
}

/** Backoff of a failing row: 1 s, 2 s, 4 s … capped at 5 minutes. */
export const retryDelayMs = (attempts: number) => Math.min(300_000, 1_000 * 2 ** Math.min(attempts, 20));

export interface OutboxRelay {
  /** Relay everything committed so far; resolves with the number of rows moved. */
  drain(): Promise<number>;
  /** Check rows enqueued long enough ago and not done; resolves with the number of rows enqueued again. */
  recheck(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One relay per deployment: the relay that holds this session-level advisory lock (per database) listens, sweeps,
 * rechecks and prunes; every other relay only tries to take the lock once per sweep. The lock is the leader's
 * lease: it is released when its session ends, so a leader that dies (or loses its connection) frees it at once
 * and the next sweep of another process takes over. Two relays at once are harmless anyway (claims skip locked
 * rows, job ids are deterministic), so a leader that cannot tell it lost its session costs nothing but work.
 */
export const RELAY_LEADER_LOCK = 'mcp_outbox_relay_leader';

export function createOutboxRelay(deps: { sql: Sql; queues: Queues; logger: Logger; sweepMs: number; recheckSeconds?: number }): OutboxRelay {
  const { sql, queues, logger } = deps;
  let lease: Awaited<ReturnType<Sql['reserve']>> | undefined;
  let stopped = false;
  const recheckSeconds = deps.recheckSeconds ?? 60;
  let timer: NodeJS.Timeout | undefined;
  let listener: { unlisten: () => Promise<void> } | undefined;
  let running: Promise<number> | undefined;
  let checking: Promise<number> | undefined;
  let again = false;
  let sweeps = 0;
  let lastCheck = 0;

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


  async function recheckBatch(): Promise<{ claimed: number; moved: number }> {
    return sql.begin(async (tx) => {
      const rows = await claimUnfinishedBatch(tx, recheckSeconds, BATCH);
      const presence = await queues.presence(rows.map((row) => ({ queue: row.queue, jobId: outboxJobId(row) })));
      const lost = rows.filter((_row, index) => presence[index] === 'missing');
      await markOutboxDone(tx, rows.filter((_row, index) => presence[index] === 'finished').map((row) => row.id));
      const { done, failed } = await publishEach(queues, lost);
      if (lost.length > 0) logger.warn({ lost: lost.length, readded: done.length }, 'outbox jobs missing from Redis; enqueued again');
      // Re-added, still on their way, or failing to re-add (tried again next round): look again after recheckSeconds.
      await touchOutboxRelayed(tx, rows.filter((_row, index) => presence[index] !== 'finished').map((row) => row.id));
      for (const { row, error } of failed) logger.error({ err: error, outboxId: row.id, queue: row.queue }, 'lost outbox job not enqueued again; retrying later');
      return { claimed: rows.length, moved: done.length };
    });
  }

  const drainAll = () => everyBatch(relayBatch);
  const recheckAll = () => everyBatch(recheckBatch);

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

  function recheck(): Promise<number> {
    checking ??= recheckAll().finally(() => {
      checking = undefined;
    });
    return checking;
  }

  const kick = () => void drain().catch((error: unknown) => logger.error({ err: error }, 'outbox relay failed'));

  /** True while this relay holds the lease; takes it when free, notices when its session is gone. */
  async function lead(): Promise<boolean> {
    if (lease !== undefined) {
      try {
        await lease`SELECT 1`;
        return true;
      } catch (error) {
        logger.warn({ err: error }, 'outbox relay lost its leader session; another relay takes over');
        lease.release();
        lease = undefined;
        await listener?.unlisten().catch(() => undefined);
        listener = undefined;
        return false;
      }
    }
    const candidate = await sql.reserve();
    const [row] = await candidate<{ taken: boolean }[]>`SELECT pg_try_advisory_lock(hashtext(${RELAY_LEADER_LOCK})) AS taken`.catch(() => [{ taken: false }]);
    if (!row?.taken || stopped) {
      if (row?.taken) await candidate`SELECT pg_advisory_unlock(hashtext(${RELAY_LEADER_LOCK}))`.catch(() => undefined);
      candidate.release();
      return false;
    }
    lease = candidate;
    logger.info({ pid: process.pid }, 'outbox relay leader');
    listener = await sql.listen(OUTBOX_CHANNEL, kick, kick);
    return true;
  }

  function sweep(): void {
    kick();
    if (Date.now() - lastCheck >= (recheckSeconds * 1000) / 2) {
      lastCheck = Date.now();
      void recheck().catch((error: unknown) => logger.error({ err: error }, 'outbox recheck failed'));
    }
    if (++sweeps % 600 === 0) void pruneOutbox(sql, PRUNE_AFTER_SECONDS).catch((error: unknown) => logger.warn({ err: error }, 'outbox prune failed'));
  }

  let leading: Promise<void> | undefined;
  const tick = () => {
    leading ??= lead()
      .then((leader) => (leader && !stopped ? sweep() : undefined))
      .catch((error: unknown) => logger.warn({ err: error }, 'outbox relay lease check failed'))
      .finally(() => {
        leading = undefined;
      });
  };

  return {
    drain,
    recheck,
    async start() {
      stopped = false;
      tick();
      await leading;
      timer = setInterval(tick, deps.sweepMs);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await leading;
      await listener?.unlisten();
      listener = undefined;
      await running?.catch(() => 0);
      await checking?.catch(() => 0);
      if (lease !== undefined) {
        await lease`SELECT pg_advisory_unlock(hashtext(${RELAY_LEADER_LOCK}))`.catch(() => undefined);
        lease.release();
        lease = undefined;
      }
    },
  };
}
