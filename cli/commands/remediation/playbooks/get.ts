// mcpctl remediation playbooks get <id>
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { playbooksPath } from '../columns.ts';

export class RemediationPlaybooksGetCommand extends ApiCommand {
  static override paths = [['remediation', 'playbooks', 'get']];
  static override usage = ApiCommand.Usage({ description: 'Show one playbook', examples: [['Playbook 4', 'mcpctl remediation playbooks get 4']] });

  id = Option.String({ name: 'id' });

  async run() {
    const playbook = await this.client().request<Record<string, unknown>>('GET', `${playbooksPath}/${encodeURIComponent(this.id)}`);
    if (this.json) this.printJson(playbook);
    else this.print(this.record(playbook));
  }
}
