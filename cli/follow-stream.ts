// Follows an SSE stream for the watch/follow commands: yields frames in order and, when the connection drops,
// reconnects with Last-Event-ID = the last frame yielded, so nothing is missed or repeated. A refused request
// (4xx: auth, bad filter, unknown id) is thrown, because retrying cannot fix it. A `reset` (the resume id fell
// below the server's retention) is not yielded: it is told to `onReset` and following goes on after the gap.
// Reconnects back off exponentially (cli/backoff.ts) from the server's `retry:` (or the caller's retryMs), and
// an outage is told once to `onReconnect`, however many attempts it takes, and its end once to `onReconnected`.
import { ApiProblem, type ApiClient } from './api-client.ts';
import { backoffDelay } from './backoff.ts';
import { readSseFrames, type SseFrame } from './sse-frames.ts';

export interface FollowOptions {
  /** Resume after this event id (else the stream's own start). */
  since?: string | undefined;
  /** First reconnect pause; undefined: the server's `retry:` field, else 1000 ms. */
  retryMs?: number | undefined;
  /** Longest reconnect pause (default 30 s). */
  maxRetryMs?: number;
  /** Called on every established connection before its frames are read (`first` on the first one): watch
   * commands print the current state there, so that nothing that happens meanwhile is lost. */
  onOpen?(first: boolean): Promise<void> | void;
  /** Told once per outage, when the connection is first lost (the commands write it to stderr). */
  onReconnect(lastId: string | undefined): void;
  /** Told once when a connection is established again after an outage. */
  onReconnected?(lastId: string | undefined): void;
  /** Told once per `reset`, with a one-line notice saying which events were lost (the commands write it to stderr). */
  onReset(notice: string): void;
  random?: () => number;
}

/** The one line a `reset` event becomes: `{ reason, requested_id, oldest_id, head_id }` (docs/trust-api.md). */
export function resetNotice(data: Record<string, unknown>): string {
  const from = Number(data.requested_id) + 1;
  const to = Number(data.oldest_id) - 1;
  return `stream reset (${String(data.reason)}): events ${from}..${to} are no longer kept; continuing from event ${String(data.oldest_id)}\n`;
}

export async function* followStream(client: ApiClient, path: string, options: FollowOptions): AsyncGenerator<SseFrame> {
  let lastId = options.since;
  let serverRetryMs: number | undefined;
  let attempt = 0;
  let opened = false;
  for (;;) {
    try {
      const response = await client.open(path, { headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) } });
      if (attempt > 0) options.onReconnected?.(lastId);
      attempt = 0;
      await options.onOpen?.(!opened);
      opened = true;
      for await (const frame of readSseFrames(response, (ms) => (serverRetryMs = ms))) {
        lastId = frame.id;
        if (frame.event === 'reset') options.onReset(resetNotice(frame.data));
        else yield frame;
      }
    } catch (error) {
      if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) throw error;
    }
    attempt += 1;
    if (attempt === 1) options.onReconnect(lastId);
    const base = options.retryMs ?? serverRetryMs ?? 1000;
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(base, attempt, options.maxRetryMs ?? 30_000, options.random)));
  }
}
