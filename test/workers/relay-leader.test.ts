// One outbox relay per deployment, with real worker processes: of two, exactly one holds the leader lease and
// relays; after `kill -9` of the leader the other takes the lease and relays what was written since, and every
// outbox row ends as exactly one job.
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { createRedis } from '../../queues/redis.ts';
import { sseFanoutQueue } from '../../queues/sse-fanout.ts';
import { databaseEpoch } from '../../sql/database-epoch.ts';
import { OUTBOX_CHANNEL } from '../../sql/outbox.ts';
import { RELAY_LEADER_LOCK } from '../../workers/outbox-relay.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { uniquePrefix } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

const prefix = uniquePrefix();
const redis = createRedis(REDIS_URL);
let queues: Queues;
let db: TestDatabase;
const children: ResultPromise[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  queues = createQueues(redis, prefix, { epoch: await databaseEpoch(db.sql) });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.allSettled(children);
  await queues.get(sseFanoutQueue).obliterate({ force: true });
  await queues.close();
  redis.disconnect();
  await db.drop();
});

/** A worker process hosting no queue of these rows: it only relays (sse-fanout jobs wait in Redis, countable). */
function startWorker(): { child: ResultPromise; leader: Promise<number> } {
  const child = execa(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--queues', 'scheduler-refresh'], {
    env: { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', OUTBOX_SWEEP_MS: '200', HOST: '127.0.0.1' },
    reject: false,
  });
  children.push(child);
  const leader = new Promise<number>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.includes('outbox relay leader')) resolve(JSON.parse(line).pid as number);
    });
  });
  return { child, leader };
}

/** Rows written as a writer without the fast path would leave them: only a relay can move them. */
async function writeRows(from: number, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, index) => ({ doorbells: [{ topic: 'trust-registry', owner_id: 'acme', id: from + index }] }));
  await db.sql`
    INSERT INTO outbox (queue, job_name, payload, job_options)
    SELECT 'sse-fanout', 'sse-fanout', p, '{}'::jsonb FROM jsonb_array_elements(${db.sql.json(rows as never)}) AS p`;
  await db.sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
}

const leaseHolders = () => db.sql<{ n: number }[]>`
  SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND objid = (hashtext(${RELAY_LEADER_LOCK}) & x'ffffffff'::bigint)::oid`;
const waitingJobs = () => queues.get(sseFanoutQueue).getJobCounts('waiting');
const unrelayed = () => db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`;

describe('outbox relay leader lease', () => {
  it('relays through one leader, and through the other after the leader is killed', async () => {
    const first = startWorker();
    const firstPid = await first.leader;
    const second = startWorker();
    await writeRows(1, 50);
    await waitFor(unrelayed, (rows) => rows[0]?.n === 0, { what: 'the first batch relayed' });
    expect(await leaseHolders()).toEqual([{ n: 1 }]);

    process.kill(firstPid, 'SIGKILL');
    await first.child;
    await writeRows(51, 50);
    // The survivor takes the lease (its log says so) and relays the rows written after the kill.
    const secondPid = await second.leader;
    expect(secondPid).not.toBe(firstPid);
    await waitFor(unrelayed, (rows) => rows[0]?.n === 0, { timeoutMs: 30_000, what: 'the second batch relayed by the new leader' });
    expect(await leaseHolders()).toEqual([{ n: 1 }]);
    // Each row is one job: 100 rows, 100 distinct waiting jobs (none lost, none added twice).
    expect((await waitingJobs()).waiting).toBe(100);
    const ids = (await queues.get(sseFanoutQueue).getWaiting(0, 200)).map((job) => job.id);
    expect(new Set(ids).size).toBe(100);
  }, 120_000);
});
