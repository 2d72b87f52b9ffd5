// evaluation-refresh processor: one scheduled refresh of one instance. A job whose id is no longer the schedule's
// (cancelled on distrust, superseded) does nothing. Otherwise the placement gate is consulted first — a veto
// (`policy_hook:remediation_gate=*`) stops dispatch and the schedule waits a cadence — then the refresh records
// whether evidence arrived: yes keeps the cadence, no backs off as `unreachable` (not `untrusted`).
import type { z } from 'zod';
import type { Config } from '../core/config.ts';
import { refreshOutcome, type Cadence } from '../core/refresh-schedule.ts';
import { refreshJobId, type evaluationRefreshJob } from '../queues/evaluation-refresh.ts';
import { decideAndRecord } from '../sql/placement-decisions.ts';
import { lockSchedule, nextAfterAttempt, setSchedule } from '../sql/refresh-schedules.ts';
import { transact, type Db } from '../sql/transact.ts';

export const cadenceOf = (config: Config): Cadence => ({
  intervalMs: config.EVALUATION_REFRESH_INTERVAL_MS,
  jitterMs: config.EVALUATION_REFRESH_JITTER_MS,
  backoffMaxMs: config.EVALUATION_UNREACHABLE_BACKOFF_MAX_MS,
});

export function createEvaluationRefreshHandler(deps: { db: Db; config: Config }) {
  return (data: z.infer<typeof evaluationRefreshJob>) =>
    transact(deps.db, async (uow) => {
      const { tx } = uow;
      const schedule = await lockSchedule(tx, data.vm_instance_id);
      if (schedule === undefined || schedule.owner_id !== data.owner_id || schedule.job_id !== refreshJobId(data.vm_instance_id, data.schedule_version)) {
        return { skipped: 'cancelled or superseded' };
      }
      const now = new Date();
      const { decision, record } = await decideAndRecord(tx, schedule.owner_id, schedule.server_id, 'refresh', now);
      let outcome: 'fresh-evidence' | 'no-evidence' | 'vetoed' = 'vetoed';
      if (decision.allow) {
        const [trust] = await tx<{ evidence_observed_at: Date | null; freshness_deadline: Date | null }[]>`
          SELECT evidence_observed_at, freshness_deadline FROM runtime_vm_trust_registry WHERE vm_instance_id = ${schedule.vm_instance_id}`;
        outcome = refreshOutcome(trust ?? { evidence_observed_at: null, freshness_deadline: null }, schedule.last_attempt_at ?? schedule.scheduled_at, now);
      }
      const next = nextAfterAttempt(cadenceOf(deps.config), outcome, schedule.consecutive_misses, Math.random());
      const written = await setSchedule(uow, schedule, {
        state: next.state,
        delayMs: next.delayMs,
        attempted: true,
        misses: next.misses,
        outcome: outcome === 'vetoed' ? `vetoed:${decision.gate}` : outcome,
        ...(outcome === 'fresh-evidence' ? { succeeded: now } : {}),
      });
      return { outcome, decision_id: record.decision_id, state: written.state, next_refresh_at: written.next_refresh_at };
    });
}
