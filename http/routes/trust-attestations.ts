// POST /api/trust/attestations: validate an outcome report and queue it (202 + job id); the attestation-ingest
// worker verifies and persists it. The job id comes from the evidence digest: the same evidence is one job.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../core/attestation-verifier.ts';
import { AppError } from '../../core/errors.ts';
import { attestationAccepted, attestationReport, type AttestationReport } from '../../core/schemas/trust.ts';
import { attestationIngestQueue, attestationJobId } from '../../queues/attestation-ingest.ts';
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

export function trustAttestationRoutes({ sql, queues }: AppDeps): RouteSpec[] {
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
      responses: { 202: { description: 'Queued', schema: attestationAccepted } },
      async handler(_ctx, { body, auth }) {
        if ((await findVmInstance(sql, auth.owner, body.vm_instance_id)) === undefined) {
          throw new AppError('vm-instance-not-found', `VM instance ${body.vm_instance_id} does not exist`);
        }
        const digest = evidenceDigest(body);
        const data = { report_id: digest, owner_id: auth.owner, actor: auth.sub, vm_instance_id: body.vm_instance_id, report: body };
        const jobId = await queues.enqueue(attestationIngestQueue, data, attestationJobId(digest));
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
        const queue = queues.get(attestationIngestQueue);
        let job = await queue.getJob(params.job_id);
        if (job === undefined || (job.data as { owner_id?: string }).owner_id !== auth.owner) {
          throw new AppError('not-found', `attestation job ${params.job_id} does not exist`);
        }
        const state = await job.getState();
        // The job may have finished between the two reads: reload it so result and reason match the state.
        if (state === 'completed' || state === 'failed') job = (await queue.getJob(params.job_id)) ?? job;
        return { status: 200, body: { job_id: params.job_id, state, result: job.returnvalue ?? undefined, failed_reason: job.failedReason ?? null } };
      },
    }),
  ];
}
