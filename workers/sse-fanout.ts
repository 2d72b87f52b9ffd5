// sse-fanout processor: append the event to the stream log, then ring every API node's doorbell over Redis.
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { sseFanoutJob } from '../queues/sse-fanout.ts';
import type { Sql } from '../sql/db.ts';
import { appendStreamEvent } from '../sql/stream-events.ts';

export const streamChannel = (prefix: string) => `${prefix}:stream-events`;

export interface StreamDoorbell {
  topic: string;
  owner_id: string;
  id: number;
}

export function createSseFanoutHandler(deps: { sql: Sql; publisher: Redis; prefix: string }) {
  return async (data: z.infer<typeof sseFanoutJob>, job: Job) => {
    const row = await appendStreamEvent(deps.sql, data, `job:${job.id ?? job.name}`);
    // A re-run (row already present) still rings: the first run may have died before publishing.
    const doorbell: StreamDoorbell = { topic: data.topic, owner_id: data.owner_id, id: row?.id ?? 0 };
    await deps.publisher.publish(streamChannel(deps.prefix), JSON.stringify(doorbell));
    return { event_id: row?.id ?? null };
  };
}
