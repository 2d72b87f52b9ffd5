// console-project: bring one owner's lifecycle console projection up to date (workers/console-project.ts).
// `marked`: only the workspaces that committed changes marked (sql/console-marks.ts); `full`: every workspace of the
// owner (the first projection and the scheduled reconciliation).
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const consoleProjectJob = z.object({
  owner_id: z.string().min(1),
  scope: z.enum(['marked', 'full']),
});

/** A marking writer's job waits this long, so a burst of changes to one workspace is one projection. */
export const CONSOLE_PROJECT_DEBOUNCE_MS = 50;

// Owner ids are free text: keep BullMQ's ':' separator out of the job id.
const ownerPart = (ownerId: string) => encodeURIComponent(ownerId);

/** One full projection per owner per reconciliation period (every worker's sweep names the same job). */
export const reconcileJobId = (ownerId: string, period: number) => `console-reconcile-${period}-${ownerPart(ownerId)}`;
/** Marks left behind (a job that failed for good): one catch-up per owner per period. */
export const leftoverJobId = (ownerId: string, period: number) => `console-leftover-${period}-${ownerPart(ownerId)}`;
/** The first projection of an owner a console client waits for (one per owner per minute). */
export const firstJobId = (ownerId: string, minute: number) => `console-first-${minute}-${ownerPart(ownerId)}`;

export const consoleProjectQueue = defineQueue('console-project', consoleProjectJob, { attempts: 5, backoff: { type: 'exponential', delay: 500 } });
