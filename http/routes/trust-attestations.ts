// POST /api/trust/attestations: validate an outcome report, record it in the attestation inbox and write its
// attestation-ingest job to the outbox, in one transaction, before answering 202 (+ job id): a 202 means recorded.
// The worker verifies and persists it. The job id comes from the evidence digest: the same evidence is one job.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../core/attestation-verifier.ts';
import { AppError } from '../../core/errors.ts';
import { assertInstanceLive } from '../../core/instance-liveness.ts';
import { attestationAccepted, attestationReport, type AttestationReport } from '../../core/schemas/trust.ts';
import { attestationIngestQueue, attestationJobId } from '../../queues/attestation-ingest.ts';
import { findInboxEntry, recordInboxEntry } from '../../sql/attestation-inbox.ts';
import { transact } from '../../sql/transact.ts';
import { findVmInstance } from '../../sql/vm-instances.ts';
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

export function trustAttestationRoutes({ sql, db, queues }: AppDeps): RouteSpec[] {
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
        await transact(db, async (uow) => {
          const instance = await findVmInstance(uow.tx, auth.owner, body.vm_instance_id);
          if (instance === undefined) throw new AppError('vm-instance-not-found', `VM instance ${body.vm_instance_id} does not exist`);
          assertInstanceLive(instance, 'it takes no more evidence');
          const entry = { digest, owner_id: auth.owner, actor: auth.sub, vm_instance_id: body.vm_instance_id, report: body };
          // The same evidence again is the same inbox row and the same job: enqueued once, when first recorded.
          if (await recordInboxEntry(uow.tx, entry)) await uow.enqueue(attestationIngestQueue, { report_id: digest, owner_id: auth.owner }, { jobId });
        });
        return { status: 202, body: { job_id: jobId, evidence_digest: digest, status: 'queued' } };
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
        if (entry.processed_at !== null) {
          const state = entry.failed_reason === null ? 'completed' : 'failed';
          return { status: 200, body: { job_id: params.job_id, state, result: entry.outcome ?? undefined, failed_reason: entry.failed_reason } };
        }
        const queue = queues.get(attestationIngestQueue);
        let job = await queue.getJob(params.job_id);
        // Not in Redis (lost, or not relayed yet): the relay adds it again, so it is waiting.
        if (job === undefined) return { status: 200, body: { job_id: params.job_id, state: 'waiting', failed_reason: null } };
        const state = await job.getState();
        // The job may have finished between the two reads: reload it so result and reason match the state.
        if (state === 'completed' || state === 'failed') job = (await queue.getJob(params.job_id)) ?? job;
        return { status: 200, body: { job_id: params.job_id, state, result: job.returnvalue ?? undefined, failed_reason: job.failedReason ?? null } };
      },
    }),
  ];
}
