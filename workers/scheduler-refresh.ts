// scheduler-refresh processor: pause a server's evaluation refresh while any live instance is distrusted, resume it
// once none is, and reconcile each instance's refresh schedule (distrusted → remediating with its pending refresh
// cancelled; restored → a jittered first refresh). Reads current rows, so running it twice (or late) converges.
import type { z } from 'zod';
import { isDistrusted } from '../core/lifecycle.ts';
import { evaluationRefreshQueue } from '../queues/evaluation-refresh.ts';
import type { schedulerRefreshJob } from '../queues/scheduler-refresh.ts';
import { setRefreshPlan } from '../sql/evaluation-certifications.ts';
import { listServerPosture, lockServerPosture } from '../sql/intelligence-scores.ts';
import { reconcileSchedules } from '../sql/refresh-schedules.ts';
import { transact } from '../sql/transact.ts';
import { cadenceOf } from './evaluation-refresh.ts';
import type { WorkerDeps } from './deps.ts';

export function createSchedulerRefreshHandler(deps: Pick<WorkerDeps, 'db' | 'config' | 'queues' | 'logger'>) {
  return async (data: z.infer<typeof schedulerRefreshJob>) => {
    const result = await transact(deps.db, async (uow) => {
      const { tx } = uow;
      await lockServerPosture(tx, data.server_id);
      const posture = await listServerPosture(tx, data.owner_id, data.server_id);
      const distrusted = posture.filter((instance) => isDistrusted(instance.lifecycle_state));
      const notes = distrusted.map((instance) => `vm:trust-${instance.vm_instance_id}=${instance.lifecycle_state}`);
      const plan = await setRefreshPlan(tx, { ownerId: data.owner_id, serverId: data.server_id, paused: distrusted.length > 0, notes });
      const schedules = await reconcileSchedules(uow, data.owner_id, data.server_id, cadenceOf(deps.config));
      return { paused: distrusted.length > 0, changed: plan !== undefined, ...schedules };
    });
    // The cancelled jobs would find another job id in their schedule row and do nothing; removing them keeps the
    // delayed set honest. A job already running is not removable and stops on that check.
    const queue = deps.queues.get(evaluationRefreshQueue);
    for (const jobId of result.cancelled) await queue.remove(jobId).catch((error: unknown) => deps.logger.warn({ err: error, jobId }, 'could not remove a cancelled refresh job'));
    return result;
  };
}
