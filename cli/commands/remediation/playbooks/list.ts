// mcpctl remediation playbooks list: the playbook catalog.
import { ListCommand } from '../../../list-command.ts';
import { playbookColumns, playbooksPath } from '../columns.ts';

export class RemediationPlaybooksListCommand extends ListCommand {
  static override paths = [['remediation', 'playbooks', 'list']];
  static override usage = ListCommand.Usage({ description: 'List remediation playbooks', examples: [['Table', 'mcpctl remediation playbooks list'], ['Every page as JSON', 'mcpctl remediation playbooks list --all --json']] });

  async run() {
    this.printPage(await this.fetchPages(playbooksPath), playbookColumns);
  }
}
