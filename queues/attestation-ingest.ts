// attestation-ingest: verify an accepted attestation outcome report and persist it into the trust registry.
// The report itself is in the attestation inbox (sql/attestation-inbox.ts); the job carries only its digest.
// The job id is derived from the evidence digest, so the same evidence submitted twice is one job.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const attestationIngestJob = z.object({
  /** sha256 of the canonical evidence (instance, measurements, nonce, observation time). */
  report_id: z.string().min(1),
  owner_id: z.string().min(1),
});

export const attestationIngestQueue = defineQueue('attestation-ingest', attestationIngestJob, { attempts: 5 });

export const attestationJobId = (digest: string) => `attest-${digest}`;
