// Retention of the stream log: prune events older than the retention window, topic by topic, and remember the
// highest pruned id per topic (the low-water mark) so a resume below it is told it missed events.
import { streamTopic, type StreamTopic } from '../queues/sse-fanout.ts';
import type { Queryable, Sql } from './db.ts';

/** Ids up to and including this one are gone from `topic` (0: nothing was ever pruned). */
export async function streamLowWater(sql: Queryable, topic: StreamTopic): Promise<number> {
  const [row] = await sql<{ pruned_through: number }[]>`SELECT pruned_through FROM stream_retention WHERE topic = ${topic}`;
  return row?.pruned_through ?? 0;
}

/**
 * Prune one topic: everything below its oldest event still inside the window. The mark is raised before the
 * rows go, so a reader never finds rows missing without being able to tell. Deletes in batches of `batch`.
 */
export async function pruneStreamTopic(sql: Sql, topic: StreamTopic, options: { retentionSeconds: number; batch: number }): Promise<number> {
  const [cut] = await sql<{ through: number | null }[]>`
    WITH kept AS (
      SELECT id FROM stream_events
      WHERE topic = ${topic} AND created_at >= now() - make_interval(secs => ${options.retentionSeconds})
      ORDER BY id LIMIT 1
    )
    SELECT max(id) AS through FROM stream_events
    WHERE topic = ${topic} AND (NOT EXISTS (SELECT 1 FROM kept) OR id < (SELECT id FROM kept))`;
  const through = cut?.through ?? null;
  if (through === null) return 0;
  await sql`
    INSERT INTO stream_retention (topic, pruned_through) VALUES (${topic}, ${through})
    ON CONFLICT (topic) DO UPDATE SET pruned_through = greatest(stream_retention.pruned_through, excluded.pruned_through), pruned_at = now()`;
  let deleted = 0;
  for (;;) {
    const rows = await sql`
      DELETE FROM stream_events WHERE id IN (
        SELECT id FROM stream_events WHERE topic = ${topic} AND id <= ${through} ORDER BY id LIMIT ${options.batch}
      )`;
    deleted += rows.count;
    if (rows.count < options.batch) return deleted;
  }
}

/** Prune every topic; returns rows deleted per topic. */
export async function pruneStreamEvents(sql: Sql, options: { retentionSeconds: number; batch?: number }): Promise<Record<StreamTopic, number>> {
  const deleted = {} as Record<StreamTopic, number>;
  for (const topic of streamTopic.options) deleted[topic] = await pruneStreamTopic(sql, topic, { retentionSeconds: options.retentionSeconds, batch: options.batch ?? 5000 });
  return deleted;
}
