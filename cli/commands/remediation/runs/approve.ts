// mcpctl remediation runs approve <id> --version V [--deny] [--note N]
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { runsPath } from '../columns.ts';
import { readVersionFlag } from '../../../flags.ts';

export class RemediationRunsApproveCommand extends ApiCommand {
  static override paths = [['remediation', 'runs', 'approve']];
  static override usage = ApiCommand.Usage({
    description: 'Approve (or --deny) a pending run; needs the approver role and may not be the requester',
    examples: [['Approve run 12 at version 1', 'mcpctl remediation runs approve 12 --version 1 --note "change 4711"']],
  });

  id = Option.String({ name: 'id' });
  version = readVersionFlag();
  deny = Option.Boolean('--deny', false, { description: 'Deny the run instead of approving it' });
  note = Option.String('--note', { description: 'Why (kept with the decision)' });

  async run() {
    const body = { decision: this.deny ? 'deny' : 'approve', version: this.version, ...(this.note === undefined ? {} : { note: this.note }) };
    const run = await this.client().request<Record<string, unknown>>('POST', `${runsPath}/${encodeURIComponent(this.id)}/approval`, body);
    if (this.json) this.printJson(run);
    else this.print(this.record(run, ['id', 'status', 'approval_state', 'approved_by', 'version']));
  }
}
