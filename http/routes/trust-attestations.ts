// POST /api/trust/attestations: validate an outcome report, record it in the attestation inbox with the
// attestation-ingest job that carries it (concurrent POSTs share one transaction and one job:
// http/attestation-accept.ts), before answering 202 (+ job id): a 202 means recorded. The worker verifies and
// persists it. The job id returned names the evidence (its digest): the same evidence is recorded and applied once.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../core/attestation-verifier.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { attestationAccepted, attestationBatch, attestationBatchAccepted, attestationReport, type AttestationReport } from '../../core/schemas/trust.ts';
import { attestationIngestQueue, attestationJobId } from '../../queues/attestation-ingest.ts';
import { findInboxEntry, type InboxEntry } from '../../sql/attestation-inbox.ts';
import { createAttestationAccepter } from '../attestation-accept.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, readRoles, verifierRoles, type RouteSpec } from '../route.ts';

const tag = 'trust';

/** The digest identifies the evidence itself, not who relayed it: same instance, measurements, nonce and time. */
export function evidenceDigest(report: AttestationReport): string {
  const { measurements, nonce, observed_at } = report.evidence;
  const canonical = canonicalJson({ vm_instance_id: report.vm_instance_id, measurements, nonce, observed_at: new Date(observed_at).toISOString() });
  return createHash('sha256').update(canonical).digest('hex');
}

const jobStatus = z
  .object({
    job_id: z.string(),
    state: z.string(),
    result: z.unknown().optional(),
    failed_reason: z.string().nullable().optional(),
  })
  .meta({ id: 'AttestationJob' });

export function trustAttestationRoutes({ sql, db, queues, config }: AppDeps): RouteSpec[] {
  const accept = createAttestationAccepter({ db, config });
  return [
    defineRoute({
      method: 'post',
      path: '/api/trust/attestations',
      operationId: 'submitAttestation',
      summary: 'Submit an attestation outcome report (verified and persisted by a job)',
      tag,
      roles: verifierRoles,
      body: attestationReport,
      problems: [404, 409],
      responses: { 202: { description: 'Recorded and queued', schema: attestationAccepted } },
      async handler(_ctx, { body, auth }) {
        const digest = evidenceDigest(body);
        const jobId = attestationJobId(digest);
        await accept.accept({ digest, owner_id: auth.owner, actor: auth.sub, vm_instance_id: body.vm_instance_id, report: body });
        return { status: 202, body: { job_id: jobId, evidence_digest: digest, status: 'queued' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/trust/attestations/batch',
      operationId: 'submitAttestationBatch',
      summary: 'Submit many attestation outcome reports at once (each recorded, or refused with its reason, on its own)',
      tag,
      roles: verifierRoles,
      body: attestationBatch,
      responses: { 202: { description: 'Each report recorded and queued, or refused', schema: attestationBatchAccepted } },
      async handler(_ctx, { body, auth }) {
        const entries = body.reports.map((report) => ({ digest: evidenceDigest(report), owner_id: auth.owner, actor: auth.sub, vm_instance_id: report.vm_instance_id, report }));
        const outcomes = await accept.acceptMany(entries);
        // A failed transaction is the request's failure (some groups may have committed: resubmitting is safe,
        // the same evidence is recorded once); a refused report is that report's answer alone.
        for (const outcome of outcomes) if (!outcome.ok && !isAppError(outcome.error)) throw outcome.error;
        const results = outcomes.map((outcome, index) => {
          const digest = entries[index]!.digest;
          if (outcome.ok) return { job_id: attestationJobId(digest), evidence_digest: digest, status: 'queued' as const };
          const error = outcome.error as AppError;
          return { status: 'refused' as const, evidence_digest: digest, code: error.code, http_status: error.status, detail: error.detail };
        });
        const refused = results.filter((result) => result.status === 'refused').length;
        return { status: 202, body: { accepted: results.length - refused, refused, results } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/trust/attestations/:job_id',
      operationId: 'getAttestationJob',
      summary: 'State of a submitted attestation job (completed with its verdict, or failed with the rejection reason)',
      tag,
      roles: [...verifierRoles, ...readRoles],
      params: z.object({ job_id: z.string().regex(/^attest-[0-9a-f]{64}$/) }),
      responses: { 200: { description: 'The job', schema: jobStatus } },
      async handler(_ctx, { params, auth }) {
        // The inbox row is the record: it answers once the outcome is recorded, and while Redis has lost the job.
        const entry = await findInboxEntry(sql, auth.owner, params.job_id.slice('attest-'.length));
        if (entry === undefined) throw new AppError('not-found', `attestation job ${params.job_id} does not exist`);
        if (entry.processed_at !== null) return { status: 200, body: recorded(params.job_id, entry) };
        const queue = queues.get(attestationIngestQueue);
        // The job that carries the row: its accept group's, or (rows recorded before groups) the row's own.
        const job = await queue.getJob(entry.job_id ?? params.job_id);
        // Not in Redis (lost, or not relayed yet): the relay adds it again, so it is waiting.
        if (job === undefined) return { status: 200, body: { job_id: params.job_id, state: 'waiting', failed_reason: null } };
        const state = await job.getState();
        if (state === 'completed' || state === 'failed') {
          // Finished between the two reads: the row has its outcome now (a group's job answers only counts).
          const now = await findInboxEntry(sql, auth.owner, entry.digest);
          if (now?.processed_at != null) return { status: 200, body: recorded(params.job_id, now) };
        }
        const failedReason = state === 'failed' ? ((await queue.getJob(job.id!))?.failedReason ?? null) : null;
        return { status: 200, body: { job_id: params.job_id, state, failed_reason: failedReason } };
      },
    }),
  ];
}

/** A processed row's answer: completed with the recorded outcome, or failed with the rejection reason. */
function recorded(jobId: string, entry: InboxEntry) {
  const state = entry.failed_reason === null ? 'completed' : 'failed';
  return { job_id: jobId, state, result: entry.outcome ?? undefined, failed_reason: entry.failed_reason };
}
