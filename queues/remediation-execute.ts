// remediation-execute: run one approved remediation run attempt through its playbook's executor.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const remediationExecuteJob = z.object({
  run_id: z.number().int().positive(),
  owner_id: z.string().min(1),
});

// Retries of a run are decided by the failure taxonomy and scheduled explicitly, not by BullMQ attempts;
// BullMQ's own attempts only cover a worker crash (stalled job).
export const remediationExecuteQueue = defineQueue('remediation-execute', remediationExecuteJob, { attempts: 3 });
