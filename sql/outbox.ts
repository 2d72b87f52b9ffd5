// The transactional outbox: a job written in the caller's transaction, relayed to BullMQ after commit.
import type postgres from 'postgres';
import type { JobData, QueueDefinition } from '../queues/define-queue.ts';
import type { Queryable } from './db.ts';

export const OUTBOX_CHANNEL = 'mcp_outbox';

export interface OutboxRow {
  id: number;
  queue: string;
  job_name: string;
  payload: Record<string, unknown>;
  job_options: OutboxOptions;
  /** Failed enqueue attempts so far (claimed rows only). */
  attempts?: number;
  /** When the row was written (claimed rows only): a delay counts from here, not from a late (re-)enqueue. */
  created_at?: Date;
}

export interface OutboxOptions {
  jobId?: string;
  delay?: number;
}

/** A job to write to the outbox: its payload already checked against its queue's schema. */
export type OutboxJob = Omit<OutboxRow, 'id' | 'attempts' | 'created_at'>;

/** Check `data` against the queue's schema (throws a ZodError) and shape the job's outbox row. */
export function outboxJob<D extends QueueDefinition>(definition: D, data: JobData<D>, options: OutboxOptions = {}): OutboxJob {
  return { queue: definition.name, job_name: definition.name, payload: definition.schema.parse(data) as Record<string, unknown>, job_options: options };
}

/**
 * The INSERT of `jobs` (any queues), ids ascending in the order given, as a statement or a CTE's body; `keep`
 * filters them (a condition on `j.payload`). It returns the written rows whole: the fast path hands them on.
 */
export function insertOutboxJobs(sql: Queryable, jobs: OutboxJob[], keep?: postgres.PendingQuery<postgres.Row[]>) {
  return sql`
    INSERT INTO outbox (queue, job_name, payload, job_options)
    SELECT j.queue, j.job_name, j.payload, j.job_options
    FROM jsonb_to_recordset(${sql.json(jobs.map((job, ord) => ({ ...job, ord })) as never)}) AS j(queue text, job_name text, payload jsonb, job_options jsonb, ord int)
    ${keep === undefined ? sql`` : sql`WHERE ${keep}`}
    ORDER BY j.ord
    RETURNING id, queue, job_name, payload, job_options`;
}

/**
 * Write jobs inside the caller's transaction, in one statement sent at once (it can share a round trip with the
 * statements after it). They reach BullMQ only if the transaction commits. Writers go through their unit of work
 * (`uow.enqueue`), which writes its jobs with the transaction's last statements and hands them to the fast path
 * after commit. A job id defaults to `outbox-<id>`; pass `jobId` for a domain-level deterministic id.
 */
export function writeOutboxJobs(sql: Queryable, jobs: OutboxJob[]): Promise<OutboxRow[]> {
  if (jobs.length === 0) return Promise.resolve([]);
  return Promise.resolve(sql<OutboxRow[]>`${insertOutboxJobs(sql, jobs)}`.execute()).then((rows) => [...rows].sort((a, b) => a.id - b.id));
}

export function outboxJobId(row: Pick<OutboxRow, 'id' | 'job_options'>): string {
  return row.job_options.jobId ?? `outbox-${row.id}`;
}

/** Lock a batch of unrelayed rows that are due (not backing off after a failure); other relays skip them. */
export async function claimOutboxBatch(sql: Queryable, limit: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    SELECT id, queue, job_name, payload, job_options, attempts, created_at
    FROM outbox
    WHERE relayed_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
    ORDER BY id
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
}

/** A row whose job could not be added: keep the error on the row and try it again after `retryInMs`. */
export async function markOutboxFailed(sql: Queryable, id: number, error: string, retryInMs: number): Promise<void> {
  await sql`
    UPDATE outbox SET attempts = attempts + 1, last_error = ${error.slice(0, 2000)},
      next_attempt_at = now() + make_interval(secs => ${retryInMs / 1000})
    WHERE id = ${id}`;
}

export interface OutboxHealth {
  pending: number;
  failing: number;
  /** Age of the oldest unrelayed row, 0 when none. */
  lag_seconds: number;
  /** Rows enqueued whose job has not finished yet (waiting, running, delayed, or lost and about to be re-added). */
  unfinished: number;
}

/**
 * Lock a batch of rows enqueued more than `olderThanSeconds` ago whose job has not finished, oldest check first:
 * the relay asks Redis whether each job is still there (workers/outbox-relay.ts).
 */
export async function claimUnfinishedBatch(sql: Queryable, olderThanSeconds: number, limit: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    SELECT id, queue, job_name, payload, job_options, attempts, created_at
    FROM outbox
    WHERE relayed_at < now() - make_interval(secs => ${olderThanSeconds}) AND done_at IS NULL
    ORDER BY relayed_at
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
}

/** Rows whose job finished: one UPDATE for a batch of (queue, job id) pairs, as workers report them. */
export async function markJobsDone(sql: Queryable, jobs: { queue: string; jobId: string }[]): Promise<void> {
  if (jobs.length === 0) return;
  await sql`
    UPDATE outbox SET done_at = now()
    FROM unnest(${jobs.map((job) => job.queue)}::text[], ${jobs.map((job) => job.jobId)}::text[]) AS finished(queue, job_id)
    WHERE outbox.queue = finished.queue AND outbox.job_id = finished.job_id AND outbox.done_at IS NULL`;
}

export async function markOutboxDone(sql: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE outbox SET done_at = now() WHERE id = ANY(${ids}::bigint[])`;
}

/** Checked again later (still waiting, active or delayed in Redis), or just re-enqueued: restart the row's clock. */
export async function touchOutboxRelayed(sql: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE outbox SET relayed_at = now() WHERE id = ANY(${ids}::bigint[])`;
}

export async function outboxHealth(sql: Queryable): Promise<OutboxHealth> {
  const [row] = await sql<OutboxHealth[]>`
    SELECT count(*) FILTER (WHERE relayed_at IS NULL)::int AS pending,
      count(*) FILTER (WHERE relayed_at IS NULL AND attempts > 0)::int AS failing,
      coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE relayed_at IS NULL)), 0)::float8 AS lag_seconds,
      count(*) FILTER (WHERE relayed_at IS NOT NULL)::int AS unfinished
    FROM outbox WHERE done_at IS NULL`;
  return row ?? { pending: 0, failing: 0, lag_seconds: 0, unfinished: 0 };
}

/**
 * Mark rows enqueued (relayed_at). Rows a relay holds locked are skipped: that relay marks them itself, and the
 * fast path never waits behind it.
 */
export async function markOutboxRelayed(sql: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    UPDATE outbox SET relayed_at = now()
    WHERE id IN (SELECT id FROM outbox WHERE id = ANY(${ids}::bigint[]) AND relayed_at IS NULL FOR UPDATE SKIP LOCKED)`;
}

/** Finished rows are kept as long as completed jobs (the dedupe window), then dropped. */
export async function pruneOutbox(sql: Queryable, olderThanSeconds: number): Promise<number> {
  const result = await sql`
    DELETE FROM outbox WHERE done_at < now() - make_interval(secs => ${olderThanSeconds})`;
  return result.count;
}
