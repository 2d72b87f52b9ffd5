// mcpctl remediation runs list [--status S] [--vm-instance-id N]
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { renderTable } from '../../../render.ts';
import { runColumns, runsPath } from '../columns.ts';

export class RemediationRunsListCommand extends ApiCommand {
  static override paths = [['remediation', 'runs', 'list']];
  static override usage = ApiCommand.Usage({ description: 'List remediation runs, newest first', examples: [['Pending approvals', 'mcpctl remediation runs list --status pending']] });

  status = Option.String('--status');
  vmInstanceId = Option.String('--vm-instance-id');
  playbookId = Option.String('--playbook-id');
  limit = Option.String('--limit', '50');
  cursor = Option.String('--cursor');

  async run() {
    const filters: Record<string, string | undefined> = { status: this.status, vm_instance_id: this.vmInstanceId, playbook_id: this.playbookId, limit: this.limit, cursor: this.cursor };
    const query = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const page = await this.client().request<{ items: Record<string, unknown>[]; next_cursor: string | null }>('GET', `${runsPath}?${query}`);
    if (this.json) this.printJson(page);
    else this.print(renderTable(page.items, runColumns) + (page.next_cursor ? `next cursor: ${page.next_cursor}\n` : ''));
  }
}
