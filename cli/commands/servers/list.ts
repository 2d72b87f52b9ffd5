// mcpctl servers list: one page of servers (or all of them with --all).
import { Option } from 'clipanion';
import { ApiCommand } from '../../api-command.ts';
import { renderTable } from '../../render.ts';

export const serverColumns = ['id', 'name', 'status', 'image', 'isolation_tier', 'version'];

interface Page {
  items: Record<string, unknown>[];
  next_cursor: string | null;
}

export class ServersListCommand extends ApiCommand {
  static override paths = [['servers', 'list']];
  static override usage = ApiCommand.Usage({
    description: 'List your MCP servers',
    examples: [['Table', 'mcpctl servers list'], ['Every page as JSON', 'mcpctl servers list --all --json']],
  });

  limit = Option.String('--limit', '50', { description: 'Page size (1-200)' });
  cursor = Option.String('--cursor', { description: 'Continue after this cursor' });
  all = Option.Boolean('--all', false, { description: 'Follow cursors until the last page' });

  async run() {
    const client = this.client();
    const items: Record<string, unknown>[] = [];
    let cursor = this.cursor;
    let next: string | null = null;
    do {
      const query = new URLSearchParams({ limit: this.limit, ...(cursor ? { cursor } : {}) });
      const page = await client.request<Page>('GET', `/api/servers?${query}`);
      items.push(...page.items);
      next = page.next_cursor;
      cursor = next ?? undefined;
    } while (this.all && next !== null);
    if (this.json) this.printJson({ items, next_cursor: next });
    else this.print(renderTable(items, serverColumns) + (next ? `next cursor: ${next}\n` : ''));
  }
}
