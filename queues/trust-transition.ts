// trust-transition: reactions to one committed trust registry transition (plan recompute, scores, remediation hook).
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const trustTransitionJob = z.object({
  history_id: z.number().int().positive(),
  vm_instance_id: z.number().int().positive(),
  owner_id: z.string().min(1),
  /** Ring the NOTIFY doorbell: the writer left it to this reaction. */
  notify: z.boolean().default(true),
  /** Recompute plan and score: the transition changed the posture they are computed from. */
  recompute: z.boolean().default(true),
});

export const trustTransitionQueue = defineQueue('trust-transition', trustTransitionJob);
