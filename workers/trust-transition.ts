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
import { findPreviousHistory, findTrustHistory, markHistoryReacted, type TrustHistoryRow } from '../sql/trust-history.ts';
import { notifyTrustTransition } from '../sql/trust-registry.ts';

export function createTrustTransitionHandler(deps: { sql: Sql; queues: Queues; config: Config }) {
  return async (data: z.infer<typeof trustTransitionJob>) => {
    const history = await findTrustHistory(deps.sql, data.owner_id, data.history_id);
    if (history === undefined) return { skipped: 'history row not found' };
    if (history.reacted_at !== null) return { skipped: 'already reacted' };
    const scope = { server_id: history.server_id, owner_id: history.owner_id, reason: `trust-transition:${history.id}` };
    const changed = postureChanged(history, await findPreviousHistory(deps.sql, history));
    if (changed) {
      await deps.queues.enqueue(schedulerRefreshQueue, scope, `sched-${history.id}`);
      await deps.queues.enqueue(scoreRecomputeQueue, scope, `score-${history.id}`);
    }
    const quarantined = history.previous_lifecycle_state !== null && enters(history.previous_lifecycle_state, history.lifecycle_state, 'quarantined');
    if (quarantined) {
      const hook = { history_id: history.id, vm_instance_id: history.vm_instance_id, owner_id: history.owner_id };
      await deps.queues.enqueue(remediationMaterialiseQueue, hook, `quarantine-${history.id}`);
    }
    if (deps.config.TRUST_NOTIFY === 'reaction') await notifyTrustTransition(deps.sql, history);
    await markHistoryReacted(deps.sql, history.id);
    return { history_id: history.id, quarantined, recomputed: changed };
  };
}

/**
 * Plan and score depend on lifecycle, attestation status, remediation attempts and staleness. A repeated outcome
 * that changes none of them (the steady state of a healthy fleet) needs no recompute.
 */
function postureChanged(row: TrustHistoryRow, previous: TrustHistoryRow | undefined): boolean {
  if (previous === undefined) return true;
  const wasStale = previous.freshness_deadline !== null && previous.freshness_deadline.getTime() < row.created_at.getTime();
  return (
    wasStale ||
    row.lifecycle_state !== previous.lifecycle_state ||
    row.attestation_status !== previous.attestation_status ||
    row.remediation_attempts !== previous.remediation_attempts
  );
}
