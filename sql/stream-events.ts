// The durable event log behind every SSE stream: appended in commit order, read back by topic and owner.
import type { StreamTopic } from '../queues/sse-fanout.ts';
import type { Queryable, Sql } from './db.ts';

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
 * Append one event. The advisory lock serialises appends per topic so ids become visible in id order:
 * a reader that has seen id N will never later find a committed id below N. A repeated dedupe key is a no-op.
 */
export async function appendStreamEvent(sql: Sql, event: NewStreamEvent, dedupeKey: string): Promise<StreamEvent | undefined> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('stream_events:' || ${event.topic}))`;
    const [row] = await tx<StreamEvent[]>`
      INSERT INTO stream_events (topic, owner_id, subject_id, event, payload, dedupe_key)
      VALUES (${event.topic}, ${event.owner_id}, ${event.subject_id}, ${event.event}, ${tx.json(event.payload as never)}, ${dedupeKey})
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING *`;
    return row;
  });
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
