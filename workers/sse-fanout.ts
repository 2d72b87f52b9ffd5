// sse-fanout processor: ring every API node's stream hub over Redis with the doorbells the job carries. The hubs
// read the events themselves from the log (sql/stream-events.ts), from their own cursor, so a repeat is harmless.
import type { RedisClient } from '../queues/redis.ts';
import type { z } from 'zod';
import type { sseFanoutJob, StreamDoorbell } from '../queues/sse-fanout.ts';

export type { StreamDoorbell } from '../queues/sse-fanout.ts';

export const streamChannel = (prefix: string) => `${prefix}:stream-events`;

/** One PUBLISH per doorbell, pipelined (the after-commit fast path and the job share it). */
export async function publishDoorbells(publisher: RedisClient, prefix: string, doorbells: StreamDoorbell[]): Promise<void> {
  const pipeline = publisher.pipeline();
  for (const doorbell of doorbells) pipeline.publish(streamChannel(prefix), JSON.stringify(doorbell));
  await pipeline.exec();
}

export function createSseFanoutHandler(deps: { publisher: RedisClient; prefix: string }) {
  return async (data: z.infer<typeof sseFanoutJob>) => {
    await publishDoorbells(deps.publisher, deps.prefix, data.doorbells);
    return { rung: data.doorbells.length };
  };
}
