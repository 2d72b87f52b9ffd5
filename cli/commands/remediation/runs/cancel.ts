// mcpctl remediation runs cancel <id> --version V [--reason R]
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { runsPath } from '../columns.ts';
import { readVersionFlag } from '../../../flags.ts';

export class RemediationRunsCancelCommand extends ApiCommand {
  static override paths = [['remediation', 'runs', 'cancel']];
  static override usage = ApiCommand.Usage({
    description: 'Cancel a run; a running one is stopped by its worker (its process tree is killed)',
    examples: [['Cancel run 12', 'mcpctl remediation runs cancel 12 --version 3 --reason "wrong host"']],
  });

  id = Option.String({ name: 'id' });
  version = readVersionFlag();
  reason = Option.String('--reason', { description: 'Why (kept with the run)' });

  async run() {
    const body = { version: this.version, ...(this.reason === undefined ? {} : { reason: this.reason }) };
    const run = await this.client().request<Record<string, unknown>>('POST', `${runsPath}/${encodeURIComponent(this.id)}/cancel`, body);
    if (this.json) this.printJson(run);
    else this.print(this.record(run, ['id', 'status', 'cancellation_requested_at', 'cancelled_by', 'version']));
  }
}
