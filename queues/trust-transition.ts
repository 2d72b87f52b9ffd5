// trust-transition: reactions to one committed trust registry transition (plan recompute, scores, remediation hook).
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const trustTransitionJob = z.object({
  history_id: z.number().int().positive(),
  vm_instance_id: z.number().int().positive(),
  owner_id: z.string().min(1),
});

export const trustTransitionQueue = defineQueue('trust-transition', trustTransitionJob);
