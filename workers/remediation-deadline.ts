// remediation-deadline processor: expires approvals nobody gave in time, flags SLA breaches (the run keeps
// going until its hard timeout), and writes off attempts whose worker vanished past timeout + grace — once their
// lease expired, so a write-off (and the retry it schedules) never runs beside a live holder.
import type { z } from 'zod';
import type { BackoffPolicy } from '../core/failure-taxonomy.ts';
import { isActive } from '../core/remediation-status.ts';
import { failed } from '../executors/remediation/types.ts';
import type { remediationDeadlineJob } from '../queues/remediation-deadline.ts';
import { lockAttempt, leaseRemainingMs } from '../sql/remediation-attempts.ts';
import { emitRunStatus } from '../sql/remediation-events.ts';
import { expireApproval } from '../sql/remediation-run-actions.ts';
import { lockRun, patchRun } from '../sql/remediation-runs.ts';
import { transact, type Db } from '../sql/transact.ts';
import { waitOutLease } from './remediation-lease.ts';
import { DISPATCHER, recordOutcome } from './remediation-outcome.ts';

export function createRemediationDeadlineHandler(deps: { db: Db; backoff: BackoffPolicy }) {
  return async (data: z.infer<typeof remediationDeadlineJob>, _job: unknown, signal: AbortSignal | undefined) =>
    waitOutLease(() => transact(deps.db, async (uow): Promise<Record<string, unknown>> => {
      const { tx } = uow;
      const run = await lockRun(tx, data.run_id);
      if (run === undefined || run.owner_id !== data.owner_id) return { skipped: 'missing' };
      if (data.kind === 'approval-expiry') {
        const expired = await expireApproval(uow, run, DISPATCHER);
        return expired ? { expired: run.id } : { skipped: 'not-expired' };
      }
      if (data.kind === 'sla-breach') {
        if (!isActive(run.status) || run.sla_breached_at !== null || run.sla_deadline.getTime() > Date.now()) return { skipped: 'no-breach' };
        const flagged = await patchRun(tx, run.id, { sla_breached_at: new Date() });
        if (flagged) await emitRunStatus(uow, flagged, 'run.sla-breached');
        return { breached: run.id };
      }
      if (run.status !== 'running' || run.attempt !== data.attempt) return { skipped: 'attempt-finished' };
      const open = await lockAttempt(tx, run.id, data.attempt);
      if (open === undefined || open.finished_at !== null) return { skipped: 'attempt-finished' };
      const leaseLiveMs = leaseRemainingMs(open);
      if (leaseLiveMs > 0) return { leaseLiveMs };
      const detail = 'no outcome was recorded within the time limit plus grace; the executing worker is presumed dead';
      await recordOutcome(uow, run, data.attempt, failed('executor-unavailable', detail), { backoff: deps.backoff, abandoned: true });
      return { written_off: run.id, attempt: data.attempt };
    }), signal);
}
