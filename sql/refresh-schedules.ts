// evaluation_refresh_schedules: each live instance's refresh schedule. Reconciled from the trust registry after
// every posture change (pause distrusted, resume restored), advanced by each refresh, flagged by the stall sweep.
import {
  backoffDelayMs,
  cadenceDelayMs,
  resumeDelayMs,
  scheduleAction,
  type Cadence,
  type ScheduleState,
} from '../core/refresh-schedule.ts';
import type { LifecycleState } from '../core/trust-states.ts';
import { evaluationRefreshQueue, refreshJobId } from '../queues/evaluation-refresh.ts';
import type { Queryable } from './db.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export interface RefreshSchedule {
  vm_instance_id: number;
  owner_id: string;
  server_id: number;
  state: ScheduleState;
  next_refresh_at: Date | null;
  last_attempt_at: Date | null;
  last_success_at: Date | null;
  last_outcome: string | null;
  consecutive_misses: number;
  scheduled_at: Date;
  stalled_at: Date | null;
  job_id: string | null;
  version: number;
}

export async function listServerSchedules(sql: Queryable, ownerId: string, serverId: number): Promise<RefreshSchedule[]> {
  return sql<RefreshSchedule[]>`
    SELECT * FROM evaluation_refresh_schedules WHERE server_id = ${serverId} AND owner_id = ${ownerId} ORDER BY vm_instance_id`;
}

export async function lockSchedule(tx: Queryable, vmInstanceId: number): Promise<RefreshSchedule | undefined> {
  const [row] = await tx<RefreshSchedule[]>`SELECT * FROM evaluation_refresh_schedules WHERE vm_instance_id = ${vmInstanceId} FOR UPDATE`;
  return row;
}

/** Write the schedule's next step and, when it is due later, the delayed job that carries it (in the same commit). */
export async function setSchedule(
  uow: UnitOfWork,
  row: Pick<RefreshSchedule, 'vm_instance_id' | 'owner_id' | 'server_id'>,
  patch: { state: ScheduleState; delayMs: number | null; attempted?: boolean; succeeded?: Date; outcome?: string; misses?: number; resumed?: boolean },
): Promise<RefreshSchedule> {
  const { tx } = uow;
  // Due `delayMs` after the transaction's now(), the same instant scheduled_at and last_attempt_at record.
  const next = patch.delayMs === null ? tx`NULL::timestamptz` : tx`now() + make_interval(secs => ${patch.delayMs / 1000})`;
  const [written] = await tx<RefreshSchedule[]>`
    INSERT INTO evaluation_refresh_schedules (vm_instance_id, owner_id, server_id, state, next_refresh_at)
    VALUES (${row.vm_instance_id}, ${row.owner_id}, ${row.server_id}, ${patch.state}, ${next})
    ON CONFLICT (vm_instance_id) DO UPDATE SET
      state = excluded.state,
      next_refresh_at = excluded.next_refresh_at,
      last_attempt_at = CASE WHEN ${patch.attempted ?? false} THEN now() ELSE evaluation_refresh_schedules.last_attempt_at END,
      last_success_at = coalesce(${patch.succeeded ?? null}::timestamptz, evaluation_refresh_schedules.last_success_at),
      last_outcome = coalesce(${patch.outcome ?? null}, evaluation_refresh_schedules.last_outcome),
      consecutive_misses = coalesce(${patch.misses ?? null}::integer, evaluation_refresh_schedules.consecutive_misses),
      scheduled_at = CASE WHEN ${patch.resumed ?? false} THEN now() ELSE evaluation_refresh_schedules.scheduled_at END,
      stalled_at = CASE WHEN ${patch.attempted ?? false} OR ${patch.resumed ?? false} THEN NULL ELSE evaluation_refresh_schedules.stalled_at END,
      version = evaluation_refresh_schedules.version + 1,
      updated_at = now()
    RETURNING *`;
  const schedule = written!;
  const jobId = patch.delayMs === null ? null : refreshJobId(schedule.vm_instance_id, schedule.version);
  await tx`UPDATE evaluation_refresh_schedules SET job_id = ${jobId} WHERE vm_instance_id = ${schedule.vm_instance_id}`;
  if (jobId !== null) {
    uow.enqueue(evaluationRefreshQueue, { vm_instance_id: schedule.vm_instance_id, owner_id: schedule.owner_id, schedule_version: schedule.version }, { jobId, delay: Math.max(0, patch.delayMs ?? 0) });
  }
  return { ...schedule, job_id: jobId };
}

interface LiveInstance {
  vm_instance_id: number;
  owner_id: string;
  server_id: number;
  lifecycle_state: LifecycleState;
  state: ScheduleState | null;
  job_id: string | null;
}

/**
 * Bring every live instance's schedule in line with its lifecycle: distrusted → `remediating`, pending refresh
 * cancelled; trusted again (or new) → a jittered first refresh. Answers the job ids to remove from Redis. The
 * caller holds the server's posture lock (lockServerPosture), which serialises reconciles of one server; registry
 * rows are read, not locked, so the lock order of trust writers (registry, then plan) is never inverted.
 */
export async function reconcileSchedules(uow: UnitOfWork, ownerId: string, serverId: number, cadence: Cadence, random: () => number = Math.random): Promise<{ cancelled: string[]; resumed: number[] }> {
  const instances = await uow.tx<LiveInstance[]>`
    SELECT r.vm_instance_id, r.owner_id, r.server_id, r.lifecycle_state, s.state, s.job_id
    FROM runtime_vm_trust_registry r
    JOIN runtime_vm_instances i ON i.id = r.vm_instance_id AND i.terminated_at IS NULL
    LEFT JOIN evaluation_refresh_schedules s ON s.vm_instance_id = r.vm_instance_id
    WHERE r.server_id = ${serverId} AND r.owner_id = ${ownerId}
    ORDER BY r.vm_instance_id`;
  const cancelled: string[] = [];
  const resumed: number[] = [];
  for (const instance of instances) {
    const action = scheduleAction(instance.lifecycle_state, instance.state ?? undefined);
    if (action === 'pause') {
      if (instance.job_id !== null) cancelled.push(instance.job_id);
      await setSchedule(uow, instance, { state: 'remediating', delayMs: null, outcome: `paused:${instance.lifecycle_state}` });
    } else if (action === 'resume') {
      resumed.push(instance.vm_instance_id);
      await setSchedule(uow, instance, { state: 'scheduled', delayMs: resumeDelayMs(cadence, random()), resumed: true, misses: 0 });
    }
  }
  return { cancelled, resumed };
}

/** After a refresh attempt: fresh evidence keeps the cadence; none backs off as `unreachable`; a veto waits a cadence. */
export function nextAfterAttempt(cadence: Cadence, outcome: 'fresh-evidence' | 'no-evidence' | 'vetoed', misses: number, random: number) {
  if (outcome === 'no-evidence') return { state: 'unreachable' as const, delayMs: backoffDelayMs(cadence, misses + 1, random), misses: misses + 1 };
  return { state: 'scheduled' as const, delayMs: cadenceDelayMs(cadence, random), misses: outcome === 'fresh-evidence' ? 0 : misses };
}

/**
 * Flag schedules that should be refreshing but whose last attempt (or resume) is older than twice the cadence,
 * and note it on the server's evaluation plan. Answers the instances flagged now.
 */
export async function flagStalledSchedules(tx: Queryable, intervalMs: number): Promise<{ vm_instance_id: number; server_id: number; owner_id: string }[]> {
  const flagged = await tx<{ vm_instance_id: number; server_id: number; owner_id: string; last_attempt_at: Date | null }[]>`
    UPDATE evaluation_refresh_schedules SET stalled_at = now(), updated_at = now()
    WHERE state <> 'remediating' AND stalled_at IS NULL
      AND coalesce(last_attempt_at, scheduled_at) < now() - make_interval(secs => ${(2 * intervalMs) / 1000})
    RETURNING vm_instance_id, server_id, owner_id, last_attempt_at`;
  for (const row of flagged) {
    const note = `vm:trust-scheduler-stalled=${row.vm_instance_id}:${row.last_attempt_at?.toISOString() ?? 'never'}`;
    await tx`
      UPDATE evaluation_certifications SET notes = notes || ${tx.json([note])}::jsonb, version = version + 1, updated_at = now()
      WHERE server_id = ${row.server_id} AND owner_id = ${row.owner_id} AND NOT notes @> ${tx.json([note])}::jsonb`;
  }
  return flagged;
}

export async function countStalledSchedules(sql: Queryable): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM evaluation_refresh_schedules WHERE stalled_at IS NOT NULL AND state <> 'remediating'`;
  return row?.n ?? 0;
}
