// mcpctl remediation runs cancel <id> --version V [--reason R]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../../api-command.ts';
import { renderRecord } from '../../../render.ts';
import { runsPath } from '../columns.ts';

export class RemediationRunsCancelCommand extends ApiCommand {
  static override paths = [['remediation', 'runs', 'cancel']];
  static override usage = ApiCommand.Usage({
    description: 'Cancel a run; a running one is stopped by its worker (its process tree is killed)',
    examples: [['Cancel run 12', 'mcpctl remediation runs cancel 12 --version 3 --reason "wrong host"']],
  });

  id = Option.String({ name: 'id' });
  version = Option.String('--version', { required: true, validator: t.isNumber() });
  reason = Option.String('--reason');

  async run() {
    const body = { version: this.version, ...(this.reason === undefined ? {} : { reason: this.reason }) };
    const run = await this.client().request<Record<string, unknown>>('POST', `${runsPath}/${encodeURIComponent(this.id)}/cancel`, body);
    if (this.json) this.printJson(run);
    else this.print(renderRecord(run, ['id', 'status', 'cancellation_requested_at', 'cancelled_by', 'version']));
  }
}
