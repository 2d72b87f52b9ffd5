// workspace-simulate: one dry run of a workspace revision in the execution sandbox (workers/workspace-simulate.ts).
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const workspaceSimulateJob = z.object({
  sandbox_execution_id: z.number().int().positive(),
  owner_id: z.string().min(1),
});

export const simulateJobId = (executionId: number) => `workspace-simulation-${executionId}`;

// A crashed worker's job runs again; the simulation is a dry run, so repeating it is harmless.
export const workspaceSimulateQueue = defineQueue('workspace-simulate', workspaceSimulateJob, { attempts: 3 });
