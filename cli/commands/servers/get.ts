// mcpctl servers get <id>
import { Option } from 'clipanion';
import { ApiCommand } from '../../api-command.ts';

export class ServersGetCommand extends ApiCommand {
  static override paths = [['servers', 'get']];
  static override usage = ApiCommand.Usage({ description: 'Show one server', examples: [['Show server 3', 'mcpctl servers get 3']] });

  id = Option.String({ name: 'id' });

  async run() {
    const server = await this.client().request<Record<string, unknown>>('GET', `/api/servers/${encodeURIComponent(this.id)}`);
    if (this.json) this.printJson(server);
    else this.print(this.record(server));
  }
}
