// remediation-deadline: delayed checks on a run — approval expiry, SLA breach, and the watchdog that writes off
// an attempt whose worker vanished without BullMQ noticing.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const remediationDeadlineJob = z.object({
  run_id: z.number().int().positive(),
  owner_id: z.string().min(1),
  kind: z.enum(['approval-expiry', 'sla-breach', 'attempt-watchdog']),
  attempt: z.number().int().nonnegative().default(0),
});

export const deadlineJobId = (kind: string, runId: number, attempt = 0) => `remediation-${kind}-${runId}-${attempt}`;

export const remediationDeadlineQueue = defineQueue('remediation-deadline', remediationDeadlineJob, { attempts: 5 });
