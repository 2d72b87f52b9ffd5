// scheduler-refresh processor: pause a server's evaluation refresh while any live instance is distrusted,
// resume it once none is. Reads current rows, so running it twice (or late) converges on the same plan.
import type { z } from 'zod';
import { isDistrusted } from '../core/lifecycle.ts';
import type { schedulerRefreshJob } from '../queues/scheduler-refresh.ts';
import type { Sql } from '../sql/db.ts';
import { setRefreshPlan } from '../sql/evaluation-certifications.ts';
import { listServerPosture, lockServerPosture } from '../sql/intelligence-scores.ts';

export function createSchedulerRefreshHandler(deps: { sql: Sql }) {
  return async (data: z.infer<typeof schedulerRefreshJob>) => {
    return deps.sql.begin(async (tx) => {
      await lockServerPosture(tx, data.server_id);
      const posture = await listServerPosture(tx, data.owner_id, data.server_id);
      const distrusted = posture.filter((instance) => isDistrusted(instance.lifecycle_state));
      const notes = distrusted.map((instance) => `vm:trust-${instance.vm_instance_id}=${instance.lifecycle_state}`);
      const plan = await setRefreshPlan(tx, { ownerId: data.owner_id, serverId: data.server_id, paused: distrusted.length > 0, notes });
      return { paused: distrusted.length > 0, changed: plan !== undefined };
    });
  };
}
