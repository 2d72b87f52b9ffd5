import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { createRedis } from '../../queues/redis.ts';
import { scoreRecomputeQueue } from '../../queues/score-recompute.ts';
import { createMetrics } from '../../http/metrics.ts';
import { createSql } from '../../sql/db.ts';
import { claimOutboxBatch, outboxJobId } from '../../sql/outbox.ts';
import { createDb, transact } from '../../sql/transact.ts';
import { createOutboxRelay, publishOutboxRows } from '../../workers/outbox-relay.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { uniquePrefix } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

let db: TestDatabase;
let queues: Queues;
const redis = createRedis(REDIS_URL);
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  db = await createTestDatabase();
  queues = createQueues(redis, uniquePrefix());
});
afterAll(async () => {
  await queues.close();
  redis.disconnect();
  await db.drop();
});

const relay = () => createOutboxRelay({ sql: db.sql, queues, logger, sweepMs: 60_000 });
const jobData = (server_id: number) => ({ server_id, owner_id: 'acme', reason: 'test' });
/** The outbox row ids of a server's jobs, in the order written. */
const outboxIdsOf = async (serverId: number) =>
  (await db.sql<{ id: number }[]>`SELECT id FROM outbox WHERE (payload->>'server_id')::int = ${serverId} ORDER BY id`).map((row) => row.id);
const jobsFor = async (serverId: number) =>
  (await queues.get(scoreRecomputeQueue).getJobs(['waiting', 'delayed', 'active', 'completed'])).filter((job) => job.data.server_id === serverId);

describe('outbox', () => {
  it('yields no job when the transaction rolls back', async () => {
    await expect(
      db.transact(async (uow) => {
        uow.enqueue(scoreRecomputeQueue, jobData(1));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await relay().drain();
    expect(await jobsFor(1)).toEqual([]);
    const [row] = await db.sql`SELECT count(*)::int AS count FROM outbox`;
    expect(row?.count).toBe(0);
  });

  it('yields exactly one job for a committed row even when two relays run at once', async () => {
    await db.transact(async (uow) => uow.enqueue(scoreRecomputeQueue, jobData(2)));
    const [id] = await outboxIdsOf(2);
    const [a, b] = [relay(), relay()];
    const moved = await Promise.all([a.drain(), b.drain(), a.drain()]);
    expect(moved.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(1);
    const jobs = await jobsFor(2);
    expect(jobs.map((job) => job.id)).toEqual([`outbox-${id}`]);
  });

  it('yields exactly one job when a relay dies between enqueue and marking', async () => {
    await db.transact(async (uow) => uow.enqueue(scoreRecomputeQueue, jobData(3)));
    // A relay that enqueues and then dies: its transaction never commits, so the row stays unmarked.
    await expect(
      db.sql.begin(async (tx) => {
        for (const row of await claimOutboxBatch(tx, 10)) {
          await queues.get(row.queue).add(row.job_name, row.payload, { jobId: outboxJobId(row) });
        }
        throw new Error('killed before marking');
      }),
    ).rejects.toThrow('killed before marking');
    expect(await jobsFor(3)).toHaveLength(1);
    await relay().drain();
    expect(await jobsFor(3)).toHaveLength(1);
    const [row] = await db.sql`SELECT count(*)::int AS count FROM outbox WHERE relayed_at IS NULL`;
    expect(row?.count).toBe(0);
  });

  it('keeps a domain job id given by the writer', async () => {
    await db.transact(async (uow) => uow.enqueue(scoreRecomputeQueue, jobData(4), { jobId: 'score-server-4' }));
    await relay().drain();
    expect((await jobsFor(4)).map((job) => job.id)).toEqual(['score-server-4']);
  });

  it('hands committed rows to the queues on commit, and the relay then adds no second job', async () => {
    const sql = createSql(db.url, { max: 2 });
    onTestFinished(() => sql.end());
    const fast = createDb(sql, { outbox: (rows) => publishOutboxRows(queues, rows) });
    await transact(fast, async (uow) => uow.enqueue(scoreRecomputeQueue, jobData(6)));
    const [id] = await outboxIdsOf(6);
    expect((await jobsFor(6)).map((job) => job.id)).toEqual([`outbox-${id}`]);
    await expect(
      transact(fast, async (uow) => {
        uow.enqueue(scoreRecomputeQueue, jobData(7));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await relay().drain();
    expect(await jobsFor(6)).toHaveLength(1);
    expect(await jobsFor(7)).toEqual([]);
  });

  it('moves every other row past a row BullMQ rejects, keeps the error on that row, retries it alone and shows it in /metrics', async () => {
    // A job id BullMQ refuses (":" is its key separator), written before good rows of the same queue.
    await db.transact(async (uow) => {
      uow.enqueue(scoreRecomputeQueue, jobData(20), { jobId: 'a:b' });
      for (let i = 21; i < 26; i++) uow.enqueue(scoreRecomputeQueue, jobData(i));
    });
    const moved = await relay().drain();
    expect(moved).toBe(5);
    for (let i = 21; i < 26; i++) expect(await jobsFor(i)).toHaveLength(1);
    const [poisoned] = await db.sql`SELECT attempts, last_error, relayed_at, next_attempt_at > now() AS backing_off FROM outbox WHERE job_options->>'jobId' = 'a:b'`;
    expect(poisoned).toMatchObject({ attempts: 1, relayed_at: null, backing_off: true });
    expect(poisoned?.last_error).toMatch(/:/);
    // Backing off: the next drain does not try it again, and rows written after it still go at once.
    await db.transact(async (uow) => uow.enqueue(scoreRecomputeQueue, jobData(26)));
    expect(await relay().drain()).toBe(1);
    expect((await db.sql`SELECT attempts FROM outbox WHERE job_options->>'jobId' = 'a:b'`)[0]).toEqual({ attempts: 1 });
    const scraped = await createMetrics({ sql: db.sql }).registry.metrics();
    expect(scraped).toMatch(/^mcp_outbox_failing_rows 1$/m);
    expect(scraped).toMatch(/^mcp_outbox_pending_rows 1$/m);
    expect(scraped).toMatch(/^mcp_outbox_lag_seconds [0-9.e-]+$/m);
    await db.sql`DELETE FROM outbox WHERE job_options->>'jobId' = 'a:b'`;
  });

  it('reports an enqueue deduplicated against a job with different data, and not a true duplicate', async () => {
    const conflicts: unknown[] = [];
    const checked = createQueues(redis, uniquePrefix(), { onConflict: (conflict) => conflicts.push(conflict) });
    onTestFinished(() => checked.close());
    await checked.enqueue(scoreRecomputeQueue, jobData(30), 'score-30');
    await checked.enqueue(scoreRecomputeQueue, { reason: 'test', owner_id: 'acme', server_id: 30 }, 'score-30');
    expect(conflicts).toEqual([]);
    await checked.enqueue(scoreRecomputeQueue, jobData(31), 'score-30');
    expect(conflicts).toEqual([{ queue: 'score-recompute', jobId: 'score-30' }]);
    expect((await checked.get(scoreRecomputeQueue).getJob('score-30'))?.data).toEqual(jobData(30));
  });

  it('rechecks enqueued rows not done: a finished job marks its row done, a lost one is added again, a waiting one is left', async () => {
    await db.transact(async (uow) => {
      for (const server of [32, 33, 34]) uow.enqueue(scoreRecomputeQueue, jobData(server));
    });
    const ids = [...(await outboxIdsOf(32)), ...(await outboxIdsOf(33)), ...(await outboxIdsOf(34))];
    await relay().drain();
    const queue = queues.get(scoreRecomputeQueue);
    // No worker runs here: the first job is made finished the way BullMQ records it (completed or failed for good).
    await redis.hset(queue.toKey(`outbox-${ids[0]}`), 'finishedOn', String(Date.now()));
    expect(await queue.remove(`outbox-${ids[1]}`)).toBe(1);
    await db.sql`UPDATE outbox SET relayed_at = now() - interval '1 hour' WHERE id = ANY(${ids}::bigint[])`;
    const checker = createOutboxRelay({ sql: db.sql, queues, logger, sweepMs: 60_000, recheckSeconds: 60 });
    expect(await checker.recheck()).toBe(1);
    expect(await jobsFor(33)).toHaveLength(1);
    const rows = await db.sql`SELECT id, done_at IS NOT NULL AS done, relayed_at > now() - interval '1 minute' AS touched FROM outbox WHERE id = ANY(${ids}::bigint[]) ORDER BY id`;
    expect(rows.map(({ done, touched }) => ({ done, touched }))).toEqual([{ done: true, touched: false }, { done: false, touched: true }, { done: false, touched: true }]);
    expect(await checker.recheck()).toBe(0); // nothing is due again before recheckSeconds
  });

  it('wakes on the doorbell without waiting for the sweep', async () => {
    const running = relay();
    await running.start();
    try {
      await db.transact(async (uow) => uow.enqueue(scoreRecomputeQueue, jobData(5)));
      const queueEvents = await waitFor(() => jobsFor(5), (jobs) => jobs.length > 0, { timeoutMs: 5_000, intervalMs: 20, what: 'the job' });
      expect(queueEvents).toHaveLength(1);
    } finally {
      await running.stop();
    }
  });
});
