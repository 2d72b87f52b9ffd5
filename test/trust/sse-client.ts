// A minimal SSE reader for tests: frames from a fetch body (cli/sse-frames.ts) that a test can await N at a time.
import { waitFor } from '../support/wait.ts';
import { readSseFrames } from '../../cli/sse-frames.ts';

export interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

export interface SseReader {
  status: number;
  events: SseEvent[];
  next(count: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

export async function openSse(url: string, token: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  let consumed = 0;
  const waiters = new Set<() => void>();
  let failure: unknown;
  void (async () => {
    try {
      for await (const frame of readSseFrames(response)) {
        events.push({ id: Number(frame.id), event: frame.event, data: frame.data });
        for (const wake of waiters) wake();
      }
    } catch (error) {
      // close() aborts the body; anything else is a broken stream the test must hear about.
      if (!controller.signal.aborted) failure = error;
      for (const wake of waiters) wake();
    }
  })();
  return {
    status: response.status,
    events,
    async next(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length - consumed < count) {
        if (failure !== undefined) throw new Error('SSE stream failed', { cause: failure });
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`expected ${count} events, got ${events.length - consumed}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
      const batch = events.slice(consumed, consumed + count);
      consumed += count;
      return batch;
    },
    close: () => controller.abort(),
  };
}

/** Poll `probe` until it returns a truthy value (bounded), for state that has no event to await. */
export async function until<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  return (await waitFor(probe, Boolean, { timeoutMs, intervalMs: 25 })) as T;
}
