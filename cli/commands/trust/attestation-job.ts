// What `trust attest --wait` and `trust attestations get` share: reading an attestation job, waiting for its
// verdict, and showing it (the verdict is the job's result once it completed, the rejection once it failed).
import type { ApiClient } from '../../api-client.ts';
import type { WaitCommand } from '../../wait-command.ts';

export interface AttestationJob {
  job_id: string;
  state: string;
  result?: { status?: string; lifecycle_state?: string; duplicate?: boolean } | undefined;
  failed_reason?: string | null;
}

export const jobPath = (jobId: string) => `/api/trust/attestations/${encodeURIComponent(jobId)}`;
export const finished = (job: AttestationJob) => job.state === 'completed' || job.state === 'failed';

export function waitForJob(command: WaitCommand, client: ApiClient, jobId: string): Promise<AttestationJob> {
  return command.waitFor({
    what: `attestation job ${jobId}`,
    read: () => client.request<AttestationJob>('GET', jobPath(jobId)),
    done: finished,
    state: (job) => job.state,
    hint: (job) => (job.state === 'waiting' ? 'no attestation-ingest worker has taken it: is a worker running (npm run worker)?' : undefined),
  });
}

/** The job as one record: its state, and the verdict it came to. */
export function jobRecord(job: AttestationJob): Record<string, unknown> {
  return {
    job_id: job.job_id,
    state: job.state,
    verdict: job.result?.status,
    lifecycle_state: job.result?.lifecycle_state,
    duplicate: job.result?.duplicate,
    failed_reason: job.failed_reason,
  };
}
