// Offering one log read to the members of a group: one run per view (built on first use), then per member one
// write of the run's shared bytes from its cursor on, its cursor moved once per read, not once per event.
import type { StreamTopic } from '../queues/sse-fanout.ts';
import type { StreamEvent } from '../sql/stream-events.ts';
import { buildRun, bytesFrom, firstAfter, type StreamRun, type StreamView } from './stream-run.ts';

export interface StreamClient {
  topic: StreamTopic;
  ownerId: string;
  /** Only this subject's events (e.g. one run), when set. */
  subjectId?: string;
  /** Highest event id this client has been offered. */
  lastId: number;
  view: StreamView;
  /**
   * Write frames `from`… of a run, in order, while the client has room; returns the index after the last frame
   * written (short of the run's end only when it stopped for room or hung up).
   */
  deliver(run: StreamRun, from: number): number;
  /** It must drain before it takes more. */
  full(): boolean;
  /** Bytes written to the client that the kernel has not taken yet. */
  buffered(): number;
  onDrain(listener: () => void): void;
  /** Hang up on the client: it is more than the limit behind. */
  drop(): void;
  closed(): boolean;
}

/**
 * While a client's socket is full the hub sends it nothing and counts the bytes it owes (`debt`): events read
 * for its group after it stalled. Debt plus the socket's buffer past `maxBufferedBytes` drops it; a drain
 * resumes it from `lastId`, re-reading what it owes from the log, so memory per client stays under the limit.
 */
export interface Member {
  client: StreamClient;
  paused: boolean;
  /** Highest id accounted for: delivered, skipped by filter, or counted as debt. */
  seen: number;
  debt: number;
  /** The read during which it stalled: the rest of that page is backlog it will re-read, not debt. */
  pausedAtRead: number;
  /** Still being caught up alone: the group's reads pass it by until it is level. */
  joining: boolean;
}

export interface OfferContext {
  rows: readonly StreamEvent[];
  /** Which read this is (numbered per hub). */
  read: number;
  maxBufferedBytes: number;
  /** The member stopped for room during this read: wait for its drain. */
  pause(member: Member): void;
  /** Runs of this read, by view key. */
  runs: Map<string, StreamRun>;
}

export const offerContext = (rows: readonly StreamEvent[], read: number, maxBufferedBytes: number, pause: (member: Member) => void): OfferContext => ({
  rows,
  read,
  maxBufferedBytes,
  pause,
  runs: new Map(),
});

function runOf(context: OfferContext, view: StreamView): StreamRun {
  let run = context.runs.get(view.key);
  if (run === undefined) {
    run = buildRun(view, context.rows);
    context.runs.set(view.key, run);
  }
  return run;
}

/** Offer the read's rows above the member's `seen` to it: written, or counted as debt while it is paused. */
export function offer(context: OfferContext, member: Member): void {
  const { client } = member;
  const last = context.rows.at(-1)?.id ?? 0;
  if (last <= member.seen || client.closed()) return;
  const run = runOf(context, client.view);
  const from = run.rows.length === 0 || run.rows[0]!.id > member.seen ? 0 : firstAfter(run, member.seen);
  if (member.paused) {
    member.seen = last;
    if (context.read === member.pausedAtRead || from === run.rows.length) return;
    member.debt += bytesFrom(run, from);
    if (member.debt + client.buffered() > context.maxBufferedBytes) client.drop();
    return;
  }
  const next = from === run.rows.length ? from : client.deliver(run, from);
  if (next === run.rows.length) {
    member.seen = last;
    client.lastId = Math.max(client.lastId, last);
    if (client.full()) context.pause(member);
    return;
  }
  // Stopped inside the run: it has what it was written; the rest of this read is backlog re-read after its drain.
  if (next > from) client.lastId = run.rows[next - 1]!.id;
  member.seen = last;
  context.pause(member);
}
