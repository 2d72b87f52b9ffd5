// vm-launch: start or stop a server's VM through the configured provisioner, after the placement gate.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const vmLaunchJob = z.object({
  server_id: z.number().int().positive(),
  owner_id: z.string().min(1),
  action: z.enum(['launch', 'stop']),
  requested_by: z.string().min(1),
  request_id: z.string().min(1),
});

export const vmLaunchQueue = defineQueue('vm-launch', vmLaunchJob, { attempts: 3 });
