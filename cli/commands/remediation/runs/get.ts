// mcpctl remediation runs get <id>: the run and its retry ledger.
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { runsPath } from '../columns.ts';

export class RemediationRunsGetCommand extends ApiCommand {
  static override paths = [['remediation', 'runs', 'get']];
  static override usage = ApiCommand.Usage({ description: 'Show one run with its retry ledger', examples: [['Run 12', 'mcpctl remediation runs get 12']] });

  id = Option.String({ name: 'id' });

  async run() {
    const run = await this.client().request<Record<string, unknown> & { retry_ledger?: Record<string, unknown>[] }>('GET', `${runsPath}/${encodeURIComponent(this.id)}`);
    if (this.json) return this.printJson(run);
    const { retry_ledger: ledger = [], ...rest } = run;
    this.print(this.record(rest) + '\nretry ledger:\n' + this.table(ledger, ['attempt', 'status', 'exit_code', 'failure_reason', 'failure_class', 'retry_delay_ms', 'detail']));
  }
}
