// The durable event log behind every SSE stream: appended by writers in their own transactions (uow.emit), in
// commit order, read back by topic and owner.
import type { StreamTopic } from '../queues/sse-fanout.ts';
import type { Queryable, TransactionSql } from './db.ts';

export interface StreamEvent {
  id: number;
  topic: StreamTopic;
  owner_id: string;
  subject_id: string;
  event: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

export type NewStreamEvent = Omit<StreamEvent, 'id' | 'created_at'>;

/**
 * Append events inside the caller's transaction; call it as the transaction's LAST statement. The per-topic
 * advisory lock is taken in the same statement, before any id is drawn, and held through commit, so appends
 * commit in id order: a reader that has seen id N will never later find a committed id below N. Rows whose
 * dedupe key exists are skipped (a re-run writes nothing). Resolves with the rows written.
 *
 * The statement is sent at once (not when awaited): `transact()` sends COMMIT right behind it without waiting for
 * its answer, so the lock is held for one round trip. If the append fails, Postgres answers that COMMIT with a
 * rollback and this promise rejects: the caller must await it after the commit and treat a rejection as a
 * rolled-back transaction.
 */
export function appendStreamEventsLocked(tx: TransactionSql, events: (NewStreamEvent & { dedupe_key: string })[]): Promise<StreamEvent[]> {
  if (events.length === 0) return Promise.resolve([]);
  const topics = [...new Set(events.map((event) => event.topic))].sort();
  // `count(*)` consumes every lock row before the first event row reaches the INSERT (ids are drawn there);
  // topics are locked in sorted order so two multi-topic writers cannot deadlock.
  const query = tx<StreamEvent[]>`
    WITH locked AS (
      SELECT pg_advisory_xact_lock(hashtext('stream_events:' || t)) FROM (SELECT unnest(${topics}::text[]) AS t ORDER BY 1) AS topics
    )
    INSERT INTO stream_events (topic, owner_id, subject_id, event, payload, dedupe_key)
    SELECT e.topic, e.owner_id, e.subject_id, e.event, e.payload, e.dedupe_key
    FROM (SELECT count(*) FROM locked) AS l,
      jsonb_to_recordset(${tx.json(events as never)}) AS e(topic text, owner_id text, subject_id text, event text, payload jsonb, dedupe_key text)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING *`.execute();
  return Promise.resolve(query);
}

export async function readStreamEvents(
  sql: Queryable,
  filter: { topic: StreamTopic; ownerId: string; afterId: number; subjectId?: string; limit: number },
): Promise<StreamEvent[]> {
  return sql<StreamEvent[]>`
    SELECT * FROM stream_events
    WHERE topic = ${filter.topic} AND owner_id = ${filter.ownerId} AND id > ${filter.afterId}
      ${filter.subjectId === undefined ? sql`` : sql`AND subject_id = ${filter.subjectId}`}
    ORDER BY id
    LIMIT ${filter.limit}`;
}

export async function latestStreamEventId(sql: Queryable, topic: StreamTopic): Promise<number> {
  const [row] = await sql<{ id: number | null }[]>`SELECT max(id) AS id FROM stream_events WHERE topic = ${topic}`;
  return row?.id ?? 0;
}
