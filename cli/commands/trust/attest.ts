// mcpctl trust attest: submit an attestation outcome for a VM instance; --wait follows the job to its verdict.
import { randomBytes } from 'node:crypto';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { WaitCommand } from '../../wait-command.ts';
import { waitForJob } from './attestation-job.ts';
import { parseMeasurements } from '../../measurements.ts';

export class TrustAttestCommand extends WaitCommand {
  static override paths = [['trust', 'attest']];
  static override usage = WaitCommand.Usage({
    description: 'Submit an attestation outcome (measurements + nonce + observation time + provenance)',
    examples: [
      ['Report two registers for instance 7 and wait for the verdict', 'mcpctl trust attest 7 --measurement pcr0=aa11 --measurement pcr1=bb22 --verifier snp-verifier --wait'],
      ['The verifier could not decide', 'mcpctl trust attest 7 --status unknown --measurement pcr0=aa11 --verifier snp-verifier --reason "verifier timed out"'],
    ],
  });

  vmInstanceId = Option.String({ name: 'vm_instance_id', validator: t.isNumber() });
  measurements = Option.Array('--measurement', [], { description: 'register=hexdigest (repeatable)' });
  status = Option.String('--status', { description: "The reporter's own verdict: trusted (default), untrusted or unknown" });
  nonce = Option.String('--nonce', { description: 'Evidence nonce (default: random)' });
  observedAt = Option.String('--observed-at', { description: 'ISO time the evidence was observed (default: now)' });
  verifier = Option.String('--verifier', 'mcpctl', { description: 'Who produced the outcome' });
  reportReference = Option.String('--report-reference', { description: "The verifier's report id (kept as provenance)" });
  reason = Option.String('--reason', { description: 'Why this verdict (kept as provenance)' });

  async run() {
    const measurements = parseMeasurements(this.measurements);
    const body = {
      vm_instance_id: this.vmInstanceId,
      ...(this.status === undefined ? {} : { status: this.status }),
      evidence: { measurements, nonce: this.nonce ?? randomBytes(16).toString('hex'), observed_at: this.observedAt ?? new Date().toISOString() },
      provenance: {
        verifier: this.verifier,
        ...(this.reportReference === undefined ? {} : { report_reference: this.reportReference }),
        ...(this.reason === undefined ? {} : { reason: this.reason }),
      },
    };
    const client = this.client();
    let result = await client.request<Record<string, unknown>>('POST', '/api/trust/attestations', body);
    if (this.wait) {
      const job = await waitForJob(this, client, String(result.job_id));
      result = { ...result, ...job, status: job.state };
    }
    if (this.json) this.printJson(result);
    else this.print(this.record(result));
    return result.status === 'failed' ? 1 : 0;
  }
}
