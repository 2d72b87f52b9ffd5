// workspace-promote: apply a promoted revision to its catalog playbook and stage its per-target runs, a window of
// `max_parallel` at a time (workers/workspace-promote.ts); the job re-adds itself until every target is settled.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const workspacePromoteJob = z.object({
  promotion_id: z.number().int().positive(),
  owner_id: z.string().min(1),
  /** Each step is its own job (deterministic id per step), so a finished step is never repeated by a relay. */
  step: z.number().int().nonnegative(),
});

export const promoteJobId = (promotionId: number, step: number) => `workspace-promotion-${promotionId}-${step}`;

export const workspacePromoteQueue = defineQueue('workspace-promote', workspacePromoteJob, { attempts: 5 });
