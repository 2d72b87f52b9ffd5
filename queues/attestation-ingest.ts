// attestation-ingest: verify accepted attestation outcome reports and persist them into the trust registry.
// The reports themselves are in the attestation inbox (sql/attestation-inbox.ts); a job carries only their
// digests: every report of one accept group (concurrent POSTs that shared a transaction), applied together.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

const carriedReport = z.object({
  /** sha256 of the canonical evidence (instance, measurements, nonce, observation time). */
  report_id: z.string().min(1),
  owner_id: z.string().min(1),
});

export const attestationIngestJob = z.union([
  z.object({ reports: z.array(carriedReport).min(1).max(1000) }),
  // Jobs written before accept groups carried one report each.
  carriedReport.transform((report) => ({ reports: [report] })),
]);

// One job at a time per worker process: a job is a whole accept group in one transaction, so little is lost, and
// groups apply in the order they were accepted (of two reports sharing a nonce, the earlier claims it).
export const attestationIngestQueue = defineQueue('attestation-ingest', attestationIngestJob, { attempts: 5 }, { concurrency: 1 });

/** The public handle of one accepted attestation (GET /api/trust/attestations/:job_id), and the job id of a report recorded before accept groups. */
export const attestationJobId = (digest: string) => `attest-${digest}`;

/** The job of one accept group: fixed when the group's transaction writes its outbox row, so a re-relay is the same job. */
export const attestationGroupJobId = () => `attest-group-${randomUUID()}`;
