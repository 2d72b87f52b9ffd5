// The scheduler's watchdog: every EVALUATION_STALL_SWEEP_MS, flag instances whose last refresh attempt is older
// than twice the cadence (`scheduler-stalled`: the mcp_scheduler_stalled_instances gauge and a trust note on the
// server's evaluation plan). It runs with the scheduler-refresh workers, so a dead evaluation-refresh worker is seen.
import type { Logger } from 'pino';
import type { Sql } from '../sql/db.ts';
import { flagStalledSchedules } from '../sql/refresh-schedules.ts';
import { startPeriodic, type Periodic } from './periodic.ts';

export function startRefreshStallSweep(deps: { sql: Sql; logger: Logger; sweepMs: number; intervalMs: number }): Periodic {
  return startPeriodic({ logger: deps.logger, sweepMs: deps.sweepMs, what: 'refresh stall sweep' }, async () => {
    const flagged = await deps.sql.begin((tx) => flagStalledSchedules(tx, deps.intervalMs));
    for (const row of flagged) deps.logger.warn({ vm_instance_id: row.vm_instance_id, server_id: row.server_id }, 'scheduler-stalled: no refresh attempt for over twice the cadence');
  });
}
