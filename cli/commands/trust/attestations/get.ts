// mcpctl trust attestations get <job_id> [--wait [--timeout S]]: an attestation job's state and verdict.
import { Option } from 'clipanion';
import { WaitCommand } from '../../../wait-command.ts';
import { jobPath, jobRecord, waitForJob, type AttestationJob } from '../attestation-job.ts';

export class TrustAttestationsGetCommand extends WaitCommand {
  static override paths = [['trust', 'attestations', 'get']];
  static override usage = WaitCommand.Usage({
    description: 'Show an attestation job: its state and, once decided, its verdict and lifecycle state (exit 1 if it failed)',
    examples: [
      ['The job `trust attest` printed', 'mcpctl trust attestations get attest-3f2a…'],
      ['Wait up to 30 s for the verdict', 'mcpctl trust attestations get attest-3f2a… --wait --timeout 30'],
    ],
  });

  jobId = Option.String({ name: 'job_id' });

  async run() {
    const client = this.client();
    const job = this.wait ? await waitForJob(this, client, this.jobId) : await client.request<AttestationJob>('GET', jobPath(this.jobId));
    if (this.json) this.printJson(job);
    else this.print(this.record(jobRecord(job)));
    return job.state === 'failed' ? 1 : 0;
  }
}
