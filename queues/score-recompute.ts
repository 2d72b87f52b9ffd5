// score-recompute: recompute a server's capability intelligence score after its posture changed.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const scoreRecomputeJob = z.object({
  server_id: z.number().int().positive(),
  owner_id: z.string().min(1),
  reason: z.string().min(1),
});

export const scoreRecomputeQueue = defineQueue('score-recompute', scoreRecomputeJob);
