// The one coalescing doorbell: items rung while a send is in flight go out together in the next send. Used for
// Postgres NOTIFY (every NOTIFY commit takes the global notify lock and flushes WAL) and for the Redis stream
// doorbell, so after-commit signals stay bounded however many transactions commit.
import type { Sql } from './db.ts';
import { OUTBOX_CHANNEL } from './outbox.ts';

export interface Doorbell<T> {
  /** Queue items; they are sent in one batch with any others rung meanwhile. Best effort. */
  ring(items: T[]): void;
  /** Resolves when everything rung so far has been sent (tests, shutdown). */
  settled(): Promise<void>;
}

/**
 * `lingerMs` holds the first send of a quiet bell that long, so bookkeeping rung by every transaction (done and
 * relayed marks) costs one statement per interval rather than one per ring.
 */
export function createCoalescingDoorbell<T>(send: (batch: T[]) => Promise<unknown>, onError: (error: unknown) => void, options: { lingerMs?: number } = {}): Doorbell<T> {
  let pending: T[] = [];
  let running: Promise<void> | undefined;

  async function flush(): Promise<void> {
    if (options.lingerMs) await new Promise((resolve) => setTimeout(resolve, options.lingerMs));
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      await send(batch).catch(onError);
    }
  }

  return {
    ring(items) {
      if (items.length === 0) return;
      pending.push(...items);
      running ??= flush().finally(() => {
        running = undefined;
      });
    },
    settled: () => running ?? Promise.resolve(),
  };
}

export interface Notification {
  channel: string;
  payload: string;
}

/** NOTIFY after commit, coalesced: one `SELECT pg_notify(...)` statement per batch. */
export function createDoorbell(sql: Sql, onError: (error: unknown) => void): Doorbell<Notification> {
  // Postgres folds identical (channel, payload) pairs of one transaction into one notification.
  return createCoalescingDoorbell<Notification>(
    (batch) => sql`
      SELECT pg_notify(c, p) FROM unnest(${batch.map((n) => n.channel)}::text[], ${batch.map((n) => n.payload)}::text[]) AS t(c, p)`,
    onError,
  );
}

/** The outbox relay's doorbell. */
export const outboxRing: Notification = { channel: OUTBOX_CHANNEL, payload: '' };
