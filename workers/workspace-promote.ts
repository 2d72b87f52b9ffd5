// workspace-promote processor: one promotion step (sql/workspace-promotion-step.ts) per job; while targets are
// still pending or their runs still going, the step's own transaction adds the next step, a poll interval later.
import type { z } from 'zod';
import { promoteJobId, workspacePromoteQueue, type workspacePromoteJob } from '../queues/workspace-promote.ts';
import { transact, type Db } from '../sql/transact.ts';
import { runPromotionStep } from '../sql/workspace-promotion-step.ts';

/** How often a promotion looks at the runs it staged. Runs take seconds to minutes; a second is fine-grained enough. */
export const PROMOTION_POLL_MS = 1_000;

export function createWorkspacePromoteHandler(deps: { db: Db; approvalTtlSeconds: number; pollMs?: number }) {
  return async (data: z.infer<typeof workspacePromoteJob>) =>
    transact(deps.db, async (uow) => {
      const result = await runPromotionStep(uow, data.promotion_id, data.step, deps.approvalTtlSeconds);
      if (!result.done) {
        const next = { ...data, step: data.step + 1 };
        uow.enqueue(workspacePromoteQueue, next, { jobId: promoteJobId(data.promotion_id, next.step), delay: deps.pollMs ?? PROMOTION_POLL_MS });
      }
      return result;
    });
}
