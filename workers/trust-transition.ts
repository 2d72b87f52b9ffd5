// trust-transition processor: the reactions to one committed transition — evaluation plan recompute, score
// recompute, the remediation hook on quarantine entry, and the external NOTIFY doorbell — written as outbox rows
// in the transaction that marks the history row reacted, so a reaction Redis loses is enqueued again.
import type { z } from 'zod';
import type { Config } from '../core/config.ts';
import { enters } from '../core/lifecycle.ts';
import { remediationMaterialiseQueue } from '../queues/remediation-materialise.ts';
import { schedulerRefreshQueue } from '../queues/scheduler-refresh.ts';
import { scoreRecomputeQueue } from '../queues/score-recompute.ts';
import type { trustTransitionJob } from '../queues/trust-transition.ts';
import { transact, type Db } from '../sql/transact.ts';
import { findTrustHistory, markHistoryReacted } from '../sql/trust-history.ts';
import { trustNotification } from '../sql/trust-registry.ts';

export function createTrustTransitionHandler(deps: { db: Db; config: Config }) {
  return (data: z.infer<typeof trustTransitionJob>) =>
    transact(deps.db, async (uow) => {
      const history = await findTrustHistory(uow.tx, data.owner_id, data.history_id);
      if (history === undefined) return { skipped: 'history row not found' };
      if (history.reacted_at !== null) return { skipped: 'already reacted' };
      const scope = { server_id: history.server_id, owner_id: history.owner_id, reason: `trust-transition:${history.id}` };
      if (data.recompute) {
        uow.enqueue(schedulerRefreshQueue, scope, { jobId: `sched-${history.id}` });
        uow.enqueue(scoreRecomputeQueue, scope, { jobId: `score-${history.id}` });
      }
      const quarantined = history.previous_lifecycle_state !== null && enters(history.previous_lifecycle_state, history.lifecycle_state, 'quarantined');
      if (quarantined) {
        const hook = { history_id: history.id, vm_instance_id: history.vm_instance_id, owner_id: history.owner_id };
        uow.enqueue(remediationMaterialiseQueue, hook, { jobId: `quarantine-${history.id}` });
      }
      // After commit, coalesced with other transactions' doorbells (a NOTIFY inside the transaction serialises commits).
      if (data.notify && deps.config.TRUST_NOTIFY !== 'off') uow.notify(trustNotification(history));
      await markHistoryReacted(uow.tx, history.id);
      return { history_id: history.id, quarantined, recomputed: data.recompute };
    });
}
