// The trust listener's memory: at worker start and on a timer, re-enqueue reactions for history rows that never
// got them (workers or Redis were down, an outbox row was lost). Same job ids as the outbox, so nothing runs twice.
import type { Logger } from 'pino';
import type { Queues } from '../queues/queues.ts';
import { trustTransitionQueue } from '../queues/trust-transition.ts';
import type { Sql } from '../sql/db.ts';
import { listUnreactedHistory } from '../sql/trust-history.ts';
import { startPeriodic, type Periodic } from './periodic.ts';

const BATCH = 500;

export async function catchUpTrustReactions(deps: { sql: Sql; queues: Queues }, options: { graceSeconds: number }): Promise<number> {
  let total = 0;
  let after = 0;
  for (;;) {
    const rows = await listUnreactedHistory(deps.sql, { graceSeconds: options.graceSeconds, limit: BATCH, afterId: after });
    for (const row of rows) {
      await deps.queues.enqueue(trustTransitionQueue, { history_id: row.id, vm_instance_id: row.vm_instance_id, owner_id: row.owner_id, notify: true, recompute: true }, `trust-transition-${row.id}`);
    }
    total += rows.length;
    if (rows.length < BATCH) return total;
    after = rows.at(-1)?.id ?? after;
  }
}

/** Run once now (the restart case), then every `sweepMs`. Rows younger than the grace period are still in flight. */
export function startTrustCatchUp(deps: { sql: Sql; queues: Queues; logger: Logger; sweepMs: number; graceSeconds?: number }): Periodic {
  return startPeriodic({ logger: deps.logger, sweepMs: deps.sweepMs, what: 'trust catch-up' }, async () => {
    const count = await catchUpTrustReactions(deps, { graceSeconds: deps.graceSeconds ?? 10 });
    if (count > 0) deps.logger.info({ count }, 'trust reactions caught up from history');
  });
}
