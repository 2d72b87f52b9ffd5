// remediation-materialise: turn a quarantine transition into a remediation run from the playbook the catalog selects.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const remediationMaterialiseJob = z.object({
  history_id: z.number().int().positive(),
  vm_instance_id: z.number().int().positive(),
  owner_id: z.string().min(1),
});

export const remediationMaterialiseQueue = defineQueue('remediation-materialise', remediationMaterialiseJob);
