// attestation-ingest: verify an attestation outcome report and persist it into the trust registry.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const attestationIngestJob = z.object({
  report_id: z.string().min(1),
  owner_id: z.string().min(1),
  actor: z.string().min(1),
  vm_instance_id: z.number().int().positive(),
  report: z.record(z.string(), z.unknown()),
});

export const attestationIngestQueue = defineQueue('attestation-ingest', attestationIngestJob, { attempts: 5 });
