// mcpctl remediation runs list [--status S] [--vm-instance-id N] [--playbook-id N]
import { Option } from 'clipanion';
import { ListCommand } from '../../../list-command.ts';
import { runColumns, runsPath } from '../columns.ts';

export class RemediationRunsListCommand extends ListCommand {
  static override paths = [['remediation', 'runs', 'list']];
  static override usage = ListCommand.Usage({ description: 'List remediation runs, newest first', examples: [['Pending approvals', 'mcpctl remediation runs list --status pending']] });

  status = Option.String('--status', { description: 'pending|queued|running|retry-scheduled|succeeded|failed|cancelled|denied|expired' });
  vmInstanceId = Option.String('--vm-instance-id', { description: 'Only this VM instance' });
  playbookId = Option.String('--playbook-id', { description: 'Only this playbook' });

  async run() {
    const filters = { status: this.status, vm_instance_id: this.vmInstanceId, playbook_id: this.playbookId };
    this.printPage(await this.fetchPages(runsPath, filters), runColumns);
  }
}
