// The stream log's janitor: at worker start and every STREAM_RETENTION_SWEEP_MS, prune stream events older than
// STREAM_RETENTION_DAYS (sql/stream-retention.ts). Several worker processes may run it; pruning is idempotent.
import type { Logger } from 'pino';
import type { Sql } from '../sql/db.ts';
import { pruneStreamEvents } from '../sql/stream-retention.ts';
import { startPeriodic, type Periodic } from './periodic.ts';

export function startStreamRetention(deps: { sql: Sql; logger: Logger; sweepMs: number; retentionDays: number }): Periodic {
  return startPeriodic({ logger: deps.logger, sweepMs: deps.sweepMs, what: 'stream retention sweep' }, async () => {
    const deleted = await pruneStreamEvents(deps.sql, { retentionSeconds: deps.retentionDays * 86_400 });
    if (Object.values(deleted).some((count) => count > 0)) deps.logger.info({ deleted }, 'stream events pruned');
  });
}
