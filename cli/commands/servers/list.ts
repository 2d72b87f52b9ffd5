// mcpctl servers list: one page of servers (or all of them with --all).
import { ListCommand } from '../../list-command.ts';

export const serverColumns = ['id', 'name', 'status', 'image', 'isolation_tier', 'version'];

export class ServersListCommand extends ListCommand {
  static override paths = [['servers', 'list']];
  static override usage = ListCommand.Usage({
    description: 'List your MCP servers',
    examples: [['Table', 'mcpctl servers list'], ['Every page as JSON', 'mcpctl servers list --all --json']],
  });

  async run() {
    this.printPage(await this.fetchPages('/api/servers'), serverColumns);
  }
}
