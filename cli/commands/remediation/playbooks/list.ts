// mcpctl remediation playbooks list: the playbook catalog.
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { renderTable } from '../../../render.ts';
import { playbookColumns, playbooksPath } from '../columns.ts';

export class RemediationPlaybooksListCommand extends ApiCommand {
  static override paths = [['remediation', 'playbooks', 'list']];
  static override usage = ApiCommand.Usage({ description: 'List remediation playbooks', examples: [['Table', 'mcpctl remediation playbooks list']] });

  limit = Option.String('--limit', '50', { description: 'Page size (1-200)' });
  cursor = Option.String('--cursor', { description: 'Continue after this cursor' });

  async run() {
    const query = new URLSearchParams({ limit: this.limit, ...(this.cursor ? { cursor: this.cursor } : {}) });
    const page = await this.client().request<{ items: Record<string, unknown>[]; next_cursor: string | null }>('GET', `${playbooksPath}?${query}`);
    if (this.json) this.printJson(page);
    else this.print(renderTable(page.items, playbookColumns) + (page.next_cursor ? `next cursor: ${page.next_cursor}\n` : ''));
  }
}
