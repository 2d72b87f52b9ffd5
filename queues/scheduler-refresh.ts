// scheduler-refresh: recompute one server's evaluation plan (pause, resume, next refresh) from the trust registry.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const schedulerRefreshJob = z.object({
  server_id: z.number().int().positive(),
  owner_id: z.string().min(1),
  reason: z.string().min(1),
});

export const schedulerRefreshQueue = defineQueue('scheduler-refresh', schedulerRefreshJob);
