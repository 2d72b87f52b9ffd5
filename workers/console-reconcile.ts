// The console's safety net: at worker start and every CONSOLE_RECONCILE_MS, a full console-project job per owner with
// workspaces or projection rows (one job id per owner and period, so several workers add it once), and a marked job
// for owners whose marks outlived their job. A reconciliation that finds nothing changed writes nothing.
import type { Logger } from 'pino';
import { consoleProjectQueue, leftoverJobId, reconcileJobId } from '../queues/console-project.ts';
import type { Queues } from '../queues/queues.ts';
import { listConsoleOwners, listLeftoverOwners } from '../sql/console-marks.ts';
import type { Sql } from '../sql/db.ts';
import { startPeriodic, type Periodic } from './periodic.ts';

/** Marks older than this had a job that failed for good (or never reached Redis and the relay): pick them up. */
const LEFTOVER_SECONDS = 60;

export function startConsoleReconcile(deps: { sql: Sql; queues: Queues; logger: Logger; sweepMs: number }): Periodic {
  return startPeriodic({ logger: deps.logger, sweepMs: deps.sweepMs, what: 'console reconciliation' }, async () => {
    const period = Math.floor(Date.now() / deps.sweepMs);
    const [owners, leftovers] = await Promise.all([listConsoleOwners(deps.sql), listLeftoverOwners(deps.sql, LEFTOVER_SECONDS)]);
    const job = (owner_id: string, scope: 'full' | 'marked', jobId: string) => ({ name: consoleProjectQueue.name, data: consoleProjectQueue.schema.parse({ owner_id, scope }), opts: { jobId } });
    const jobs = [
      ...owners.map((owner) => job(owner, 'full', reconcileJobId(owner, period))),
      ...leftovers.map((owner) => job(owner, 'marked', leftoverJobId(owner, period))),
    ];
    if (jobs.length > 0) await deps.queues.addBulk(consoleProjectQueue.name, jobs);
  });
}
