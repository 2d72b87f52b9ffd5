// mcpctl trust attestations submit <file>: many outcome reports in one request (POST /api/trust/attestations/batch),
// as a verifier serving a fleet sends them; one line per report: queued with its job id, or refused with its reason.
import { readFile } from 'node:fs/promises';
import { Option, UsageError } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';

interface BatchAnswer {
  accepted: number;
  refused: number;
  results: { status: string; evidence_digest: string; job_id?: string; code?: string; detail?: string }[];
}

export class TrustAttestationsSubmitCommand extends ApiCommand {
  static override paths = [['trust', 'attestations', 'submit']];
  static override usage = ApiCommand.Usage({
    description: 'Submit many attestation outcome reports from a JSON file (an array of reports, or { "reports": [...] }); exit 1 if any was refused',
    examples: [['The reports a verifier collected', 'mcpctl trust attestations submit reports.json']],
  });

  file = Option.String({ name: 'file' });

  async run() {
    const reports = await readReports(this.file);
    const answer = await this.client().request<BatchAnswer>('POST', '/api/trust/attestations/batch', { reports });
    if (this.json) this.printJson(answer);
    else {
      const rows = answer.results.map((result, index) => ({ index, vm_instance_id: (reports[index] as { vm_instance_id?: unknown }).vm_instance_id, ...result }));
      this.print(this.table(rows, ['index', 'vm_instance_id', 'status', 'job_id', 'code', 'detail']) + `${answer.accepted} queued, ${answer.refused} refused\n`);
    }
    return answer.refused > 0 ? 1 : 0;
  }
}

async function readReports(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
  const reports = Array.isArray(parsed) ? parsed : (parsed as { reports?: unknown } | null)?.reports;
  if (!Array.isArray(reports)) throw new UsageError(`${file} must hold an array of reports or { "reports": [...] }`);
  return reports;
}
