// Follows an SSE stream for the watch/follow commands: yields frames in order and, when the connection drops,
// reconnects with Last-Event-ID = the last frame yielded, so nothing is missed or repeated. A refused request
// (4xx: auth, bad filter, unknown id) is thrown, because retrying cannot fix it. A `reset` (the resume id fell
// below the server's retention) is not yielded: it is told to `onReset` and following goes on after the gap.
import { ApiProblem, type ApiClient } from './api-client.ts';
import { readSseFrames, type SseFrame } from './sse-frames.ts';

export interface FollowOptions {
  /** Resume after this event id (else the stream's own start). */
  since?: string | undefined;
  retryMs: number;
  /** Told about each reconnect (the commands write it to stderr). */
  onReconnect(lastId: string | undefined): void;
  /** Told once per `reset`, with a one-line notice saying which events were lost (the commands write it to stderr). */
  onReset(notice: string): void;
}

/** The one line a `reset` event becomes: `{ reason, requested_id, oldest_id, head_id }` (docs/trust-api.md). */
export function resetNotice(data: Record<string, unknown>): string {
  const from = Number(data.requested_id) + 1;
  const to = Number(data.oldest_id) - 1;
  return `stream reset (${String(data.reason)}): events ${from}..${to} are no longer kept; continuing from event ${String(data.oldest_id)}\n`;
}

export async function* followStream(client: ApiClient, path: string, options: FollowOptions): AsyncGenerator<SseFrame> {
  let lastId = options.since;
  for (;;) {
    try {
      const response = await client.open(path, { headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) } });
      for await (const frame of readSseFrames(response)) {
        lastId = frame.id;
        if (frame.event === 'reset') options.onReset(resetNotice(frame.data));
        else yield frame;
      }
    } catch (error) {
      if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) throw error;
    }
    options.onReconnect(lastId);
    await new Promise((resolve) => setTimeout(resolve, options.retryMs));
  }
}
