// Serve one SSE stream from the hub: resume from Last-Event-ID (or `cursor`), else start at the topic's head.
// A resume below the retention low-water mark first gets one `reset` event, then every event still kept.
import type { Context } from 'koa';
import type { Config } from '../core/config.ts';
import type { StreamTopic } from '../queues/sse-fanout.ts';
import { openSse, resumeId, type SseOptions } from './sse.ts';
import type { StreamHub } from './stream-hub.ts';
import { everyEvent, type StreamView } from './stream-run.ts';

export const STREAM_RESET_EVENT = 'reset';

export interface StreamSettings extends SseOptions {
  hub: StreamHub;
}

export function sseOptions(config: Config): SseOptions {
  return { heartbeatMs: config.SSE_HEARTBEAT_MS, maxBufferedBytes: config.SSE_MAX_BUFFERED_BYTES, keepAliveMs: config.SSE_KEEPALIVE_MS };
}

/** Where a stream starts, and the `reset` it owes the client when its resume id fell below retention. */
async function startPoint(hub: StreamHub, topic: StreamTopic, resume: number | undefined, fromStart: boolean) {
  if (resume === undefined) return { startId: fromStart ? 0 : await hub.head(topic), reset: undefined };
  const lowWater = await hub.lowWater(topic);
  if (resume >= lowWater) return { startId: resume, reset: undefined };
  const reset = { reason: 'retention', requested_id: resume, oldest_id: lowWater + 1, head_id: await hub.head(topic) };
  return { startId: lowWater, reset };
}

export async function serveStream(
  ctx: Context,
  settings: StreamSettings,
  options: {
    topic: StreamTopic;
    ownerId: string;
    subjectId?: string;
    /** Replay the whole log (e.g. one run's logs) when the client brings no resume id. */
    fromStart?: boolean;
    /** Which events and how framed: every event as a log frame unless given. */
    view?: StreamView;
  },
): Promise<undefined> {
  const { hub } = settings;
  const { startId, reset } = await startPoint(hub, options.topic, resumeId(ctx), options.fromStart ?? false);
  const connection = openSse(ctx, settings);
  // Its id is the low-water mark: a client that reconnects after it resumes there without a second reset.
  if (reset) connection.send({ id: startId, event: STREAM_RESET_EVENT, data: reset });
  const remove = hub.add({
    topic: options.topic,
    ownerId: options.ownerId,
    ...(options.subjectId === undefined ? {} : { subjectId: options.subjectId }),
    lastId: startId,
    view: options.view ?? everyEvent,
    deliver: (run, from) => connection.sendRun(run, from),
    full: () => connection.full(),
    buffered: () => connection.buffered(),
    onDrain: (listener) => connection.onDrain(listener),
    drop: () => connection.close('slow'),
    closed: () => connection.closed,
  });
  connection.onClose((reason) => remove(reason === 'slow' ? 'slow' : undefined));
  return undefined;
}
