// The transactional outbox: a job written in the caller's transaction, relayed to BullMQ after commit.
import { z } from 'zod';
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
}

export interface OutboxOptions {
  jobId?: string;
  delay?: number;
}

/**
 * Record a job inside the caller's transaction. It reaches BullMQ only if the transaction commits. Writers call
 * it through their unit of work (`uow.enqueue`), which also hands the row to the fast path after commit.
 * The job id defaults to `outbox-<id>`; pass `jobId` for a domain-level deterministic id.
 */
export async function writeOutbox<D extends QueueDefinition>(
  sql: Queryable,
  definition: D,
  data: JobData<D>,
  options: OutboxOptions = {},
): Promise<OutboxRow> {
  const payload = definition.schema.parse(data) as Record<string, unknown>;
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO outbox (queue, job_name, payload, job_options)
    VALUES (${definition.name}, ${definition.name}, ${sql.json(payload as never)}, ${sql.json(options as never)})
    RETURNING id`;
  return { id: z.number().parse(row?.id), queue: definition.name, job_name: definition.name, payload, job_options: options };
}

export function outboxJobId(row: Pick<OutboxRow, 'id' | 'job_options'>): string {
  return row.job_options.jobId ?? `outbox-${row.id}`;
}

/** Lock a batch of unrelayed rows that are due (not backing off after a failure); other relays skip them. */
export async function claimOutboxBatch(sql: Queryable, limit: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    SELECT id, queue, job_name, payload, job_options, attempts
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
}

export async function outboxHealth(sql: Queryable): Promise<OutboxHealth> {
  const [row] = await sql<OutboxHealth[]>`
    SELECT count(*)::int AS pending, count(*) FILTER (WHERE attempts > 0)::int AS failing,
      coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS lag_seconds
    FROM outbox WHERE relayed_at IS NULL`;
  return row ?? { pending: 0, failing: 0, lag_seconds: 0 };
}

export async function markOutboxRelayed(sql: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE outbox SET relayed_at = now() WHERE id = ANY(${ids}::bigint[])`;
}

/** Relayed rows are kept as long as completed jobs (the dedupe window), then dropped. */
export async function pruneOutbox(sql: Queryable, olderThanSeconds: number): Promise<number> {
  const result = await sql`
    DELETE FROM outbox WHERE relayed_at < now() - make_interval(secs => ${olderThanSeconds})`;
  return result.count;
}
