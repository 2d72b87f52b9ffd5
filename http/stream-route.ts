// Serve one SSE stream from the hub: resume from Last-Event-ID (or `cursor`), else start at the topic's head.
import type { Context } from 'koa';
import type { StreamTopic } from '../queues/sse-fanout.ts';
import type { StreamEvent } from '../sql/stream-events.ts';
import { openSse, resumeId } from './sse.ts';
import type { StreamHub } from './stream-hub.ts';

export interface StreamSettings {
  hub: StreamHub;
  heartbeatMs: number;
  maxBufferedBytes: number;
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
    matches?: (event: StreamEvent) => boolean;
  },
): Promise<undefined> {
  const resume = resumeId(ctx);
  const startId = resume ?? (options.fromStart ? 0 : await settings.hub.head(options.topic));
  const connection = openSse(ctx, settings);
  const remove = settings.hub.add({
    topic: options.topic,
    ownerId: options.ownerId,
    ...(options.subjectId === undefined ? {} : { subjectId: options.subjectId }),
    lastId: startId,
    matches: options.matches ?? (() => true),
    deliver: (event) => connection.send({ id: event.id, event: event.event, data: event.payload }),
    closed: () => connection.closed,
  });
  connection.onClose(remove);
  return undefined;
}
