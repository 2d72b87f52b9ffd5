// Coalescing NOTIFY sender for trust writers. Every NOTIFY transaction takes Postgres's global notify lock and
// flushes WAL at commit, so doorbells rung while one is in flight go out together in the next single statement.
import type { Sql } from './db.ts';
import { OUTBOX_CHANNEL } from './outbox.ts';

export interface Doorbell {
  /** Queue notifications; they are sent in one statement with any others rung meanwhile. Best effort. */
  ring(notifications: { channel: string; payload: string }[]): void;
  /** Resolves when everything rung so far has been sent (tests, shutdown). */
  settled(): Promise<void>;
}

export function createDoorbell(sql: Sql, onError: (error: unknown) => void): Doorbell {
  let pending: { channel: string; payload: string }[] = [];
  let running: Promise<void> | undefined;

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      // Postgres folds identical (channel, payload) pairs of one transaction into one notification.
      await sql`
        SELECT pg_notify(c, p) FROM unnest(${batch.map((n) => n.channel)}::text[], ${batch.map((n) => n.payload)}::text[]) AS t(c, p)`.catch(onError);
    }
  }

  return {
    ring(notifications) {
      pending.push(...notifications);
      running ??= flush().finally(() => {
        running = undefined;
      });
    },
    settled: () => running ?? Promise.resolve(),
  };
}

/** The outbox relay's doorbell, for writers that commit outbox rows without `transact()`. */
export const outboxRing = { channel: OUTBOX_CHANNEL, payload: '' };
