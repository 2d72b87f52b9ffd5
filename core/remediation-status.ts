// The run status machine: which status a remediation run may move to next, which statuses are final,
// and which trust-registry remediation state each status reports.
import { z } from 'zod';
import type { RemediationState } from './trust-states.ts';

export const runStatus = z.enum(['pending', 'queued', 'running', 'retry-scheduled', 'succeeded', 'failed', 'cancelled', 'denied', 'expired']);
export type RunStatus = z.infer<typeof runStatus>;

export const approvalState = z.enum(['pending', 'auto-approved', 'approved', 'denied', 'expired']);
export type ApprovalState = z.infer<typeof approvalState>;

/** Statuses covered by the database's one-active-run-per-instance index. */
export const activeStatuses = ['pending', 'queued', 'running', 'retry-scheduled'] as const satisfies readonly RunStatus[];
export const terminalStatuses = ['succeeded', 'failed', 'cancelled', 'denied', 'expired'] as const satisfies readonly RunStatus[];

const next: Record<RunStatus, readonly RunStatus[]> = {
  pending: ['queued', 'denied', 'expired', 'cancelled'],
  queued: ['running', 'cancelled'],
  // running → running: a dead worker's attempt is written off and the next attempt starts at once.
  running: ['running', 'succeeded', 'failed', 'cancelled', 'retry-scheduled'],
  'retry-scheduled': ['running', 'cancelled', 'failed'],
  succeeded: [],
  failed: [],
  cancelled: [],
  denied: [],
  expired: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return next[from].includes(to);
}

export function isTerminal(status: RunStatus): boolean {
  return (terminalStatuses as readonly RunStatus[]).includes(status);
}

export function isActive(status: RunStatus): boolean {
  return (activeStatuses as readonly RunStatus[]).includes(status);
}

/** The registry remediation state a run in `status` reports (denied/expired runs never ran: cancelled). */
export function registryStateFor(status: RunStatus, approval: ApprovalState): RemediationState {
  switch (status) {
    case 'pending':
      return approval === 'pending' ? 'awaiting-approval' : 'automation-pending';
    case 'queued':
      return 'automation-pending';
    case 'running':
      return 'automation-running';
    case 'retry-scheduled':
      return 'transient-failure';
    case 'succeeded':
      return 'automation-complete';
    case 'failed':
      return 'automation-failed';
    default:
      return 'automation-cancelled';
  }
}
