// Follows an SSE stream for the watch/follow commands: yields frames in order and, when the connection drops,
// reconnects with Last-Event-ID = the last frame yielded, so nothing is missed or repeated. A refused request
// (4xx: auth, bad filter, unknown id) is thrown, because retrying cannot fix it.
import { ApiProblem, type ApiClient } from './api-client.ts';
import { readSseFrames, type SseFrame } from './sse-frames.ts';

export interface FollowOptions {
  /** Resume after this event id (else the stream's own start). */
  since?: string | undefined;
  retryMs: number;
  /** Told about each reconnect (the commands write it to stderr). */
  onReconnect(lastId: string | undefined): void;
}

export async function* followStream(client: ApiClient, path: string, options: FollowOptions): AsyncGenerator<SseFrame> {
  let lastId = options.since;
  for (;;) {
    try {
      const response = await client.open(path, { headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) } });
      for await (const frame of readSseFrames(response)) {
        lastId = frame.id;
        yield frame;
      }
    } catch (error) {
      if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) throw error;
    }
    options.onReconnect(lastId);
    await new Promise((resolve) => setTimeout(resolve, options.retryMs));
  }
}
