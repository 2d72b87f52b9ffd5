// mcpctl remediation workspaces list: the owner's workspaces, newest first, with their active revision's gates.
import { ListCommand } from '../../../list-command.ts';
import { summaryRow, workspaceColumns, workspacesPath } from './shared.ts';

export class RemediationWorkspacesListCommand extends ListCommand {
  static override paths = [['remediation', 'workspaces', 'list']];
  static override usage = ListCommand.Usage({ description: 'List remediation workspaces with the gates of their active revision', examples: [['All workspaces', 'mcpctl remediation workspaces list --all']] });

  async run() {
    const page = await this.fetchPages(workspacesPath);
    if (this.json) return this.printJson(page);
    this.printPage({ ...page, items: page.items.map((item) => summaryRow(item as never)) }, workspaceColumns);
  }
}
