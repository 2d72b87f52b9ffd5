// remediation-execute: run one attempt of an approved remediation run through its playbook's executor.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const remediationExecuteJob = z.object({
  run_id: z.number().int().positive(),
  owner_id: z.string().min(1),
  /** The attempt this job starts; a job whose attempt the run has moved past is stale and skipped. */
  attempt: z.number().int().positive(),
  /**
   * The run's instance and playbook version as the run was made: with the playbook in the dispatcher's cache, its
   * sandbox sets up while the claim commits (docs/remediation.md, "Start gate"); only the claim decides what runs.
   * Absent from jobs written before they were added.
   */
  vm_instance_id: z.number().int().positive().optional(),
  playbook_id: z.number().int().positive().optional(),
  playbook_version: z.number().int().nonnegative().optional(),
});

export const executeJobId = (runId: number, attempt: number) => `remediation-run-${runId}-${attempt}`;

// Retries of a run are decided by the failure taxonomy and scheduled as new jobs, not by BullMQ attempts;
// BullMQ's own attempts only cover a worker crash (stalled job) or an infrastructure error.
export const remediationExecuteQueue = defineQueue('remediation-execute', remediationExecuteJob, { attempts: 3 });
