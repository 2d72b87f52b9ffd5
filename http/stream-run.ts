// One log read's events as a client sees them: a view (which events, framed how) applied to the read once, giving
// the frames back to back in one shared buffer that every client of that view is written (http/sse-bytes.ts).
import type { StreamEvent } from '../sql/stream-events.ts';
import { sharedBytes, type FrameRun } from './sse-bytes.ts';
import { streamEventFrame } from './sse.ts';

/**
 * Which events a client takes and their SSE frames. Clients of one group whose views have the same `key` share
 * each read's run, so the key must stand for the whole view: equal keys, equal `matches` and `frame`.
 */
export interface StreamView {
  key: string;
  /** Absent: every event. */
  matches?: ((event: StreamEvent) => boolean) | undefined;
  frame(event: StreamEvent): Buffer;
}

/** Every event, as a stream log frame (id, event name, payload). */
export const everyEvent: StreamView = { key: 'every', frame: streamEventFrame };

export interface StreamRun extends FrameRun {
  /** The events the view took, in log order: frame i is `rows[i]`'s. */
  readonly rows: readonly StreamEvent[];
}

export function buildRun(view: StreamView, rows: readonly StreamEvent[]): StreamRun {
  const taken = view.matches === undefined ? rows : rows.filter(view.matches);
  const frames = taken.map((row) => view.frame(row));
  const ends: number[] = [];
  let end = 0;
  for (const frame of frames) ends.push((end += frame.length));
  return { rows: taken, ends, bytes: sharedBytes(frames) };
}

/** Index of the first event of the run above `id` (the run's length when there is none). */
export function firstAfter(run: StreamRun, id: number): number {
  let low = 0;
  let high = run.rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (run.rows[middle]!.id > id) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Bytes of the run's frames from index `from` on. */
export const bytesFrom = (run: StreamRun, from: number) => run.bytes.body.length - (from === 0 ? 0 : run.ends[from - 1]!);
