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

/** Lock a batch of unrelayed rows for this relay; other relays skip them. */
export async function claimOutboxBatch(sql: Queryable, limit: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    SELECT id, queue, job_name, payload, job_options
    FROM outbox
    WHERE relayed_at IS NULL
    ORDER BY id
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
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
