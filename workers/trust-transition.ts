// trust-transition processor: the reactions to one committed transition — evaluation plan recompute, score
// recompute, the remediation hook on quarantine entry, and the external NOTIFY doorbell (after commit).
import type { z } from 'zod';
import type { Config } from '../core/config.ts';
import { enters } from '../core/lifecycle.ts';
import type { Queues } from '../queues/queues.ts';
import { remediationMaterialiseQueue } from '../queues/remediation-materialise.ts';
import { schedulerRefreshQueue } from '../queues/scheduler-refresh.ts';
import { scoreRecomputeQueue } from '../queues/score-recompute.ts';
import type { trustTransitionJob } from '../queues/trust-transition.ts';
import type { Sql } from '../sql/db.ts';
import { findTrustHistory, markHistoryReacted } from '../sql/trust-history.ts';
import { notifyTrustTransition } from '../sql/trust-registry.ts';

export function createTrustTransitionHandler(deps: { sql: Sql; queues: Queues; config: Config }) {
  return async (data: z.infer<typeof trustTransitionJob>) => {
    const history = await findTrustHistory(deps.sql, data.owner_id, data.history_id);
    if (history === undefined) return { skipped: 'history row not found' };
    if (history.reacted_at !== null) return { skipped: 'already reacted' };
    const scope = { server_id: history.server_id, owner_id: history.owner_id, reason: `trust-transition:${history.id}` };
    if (data.recompute) {
      await deps.queues.enqueue(schedulerRefreshQueue, scope, `sched-${history.id}`);
      await deps.queues.enqueue(scoreRecomputeQueue, scope, `score-${history.id}`);
    }
    const quarantined = history.previous_lifecycle_state !== null && enters(history.previous_lifecycle_state, history.lifecycle_state, 'quarantined');
    if (quarantined) {
      const hook = { history_id: history.id, vm_instance_id: history.vm_instance_id, owner_id: history.owner_id };
      await deps.queues.enqueue(remediationMaterialiseQueue, hook, `quarantine-${history.id}`);
    }
    if (data.notify && deps.config.TRUST_NOTIFY !== 'off') await notifyTrustTransition(deps.sql, history);
    await markHistoryReacted(deps.sql, history.id);
    return { history_id: history.id, quarantined, recomputed: data.recompute };
  };
}

