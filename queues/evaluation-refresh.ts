// evaluation-refresh: one instance's scheduled refresh, a delayed job. `job_id` in its schedule row names the one
// live job: any other (cancelled, superseded) finds a different id there and does nothing.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const evaluationRefreshJob = z.object({
  vm_instance_id: z.number().int().positive(),
  owner_id: z.string().min(1),
  schedule_version: z.number().int().positive(),
});

export const evaluationRefreshQueue = defineQueue('evaluation-refresh', evaluationRefreshJob);

export const refreshJobId = (vmInstanceId: number, scheduleVersion: number) => `evaluation-refresh-${vmInstanceId}-v${scheduleVersion}`;
