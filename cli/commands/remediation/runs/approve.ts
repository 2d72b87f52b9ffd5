// mcpctl remediation runs approve <id> --version V [--deny] [--note N]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../../api-command.ts';
import { renderRecord } from '../../../render.ts';
import { runsPath } from '../columns.ts';

export class RemediationRunsApproveCommand extends ApiCommand {
  static override paths = [['remediation', 'runs', 'approve']];
  static override usage = ApiCommand.Usage({
    description: 'Approve (or --deny) a pending run; needs the approver role and may not be the requester',
    examples: [['Approve run 12 at version 1', 'mcpctl remediation runs approve 12 --version 1 --note "change 4711"']],
  });

  id = Option.String({ name: 'id' });
  version = Option.String('--version', { required: true, validator: t.isNumber() });
  deny = Option.Boolean('--deny', false);
  note = Option.String('--note');

  async run() {
    const body = { decision: this.deny ? 'deny' : 'approve', version: this.version, ...(this.note === undefined ? {} : { note: this.note }) };
    const run = await this.client().request<Record<string, unknown>>('POST', `${runsPath}/${encodeURIComponent(this.id)}/approval`, body);
    if (this.json) this.printJson(run);
    else this.print(renderRecord(run, ['id', 'status', 'approval_state', 'approved_by', 'version']));
  }
}
