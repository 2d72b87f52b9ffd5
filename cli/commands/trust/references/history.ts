// mcpctl trust references history <server-id> [--limit N]: every change of a server's reference measurements.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../../api-command.ts';
import { referencesPath } from './path.ts';

export class TrustReferencesHistoryCommand extends ApiCommand {
  static override paths = [['trust', 'references', 'history']];
  static override usage = ApiCommand.Usage({
    description: "Every change of a server's reference measurements, newest first, with who made it",
    examples: [['Server 3', 'mcpctl trust references history 3']],
  });

  serverId = Option.String({ name: 'server-id' });
  limit = Option.String('--limit', { validator: t.isNumber(), description: 'How many changes (1-500, default 100)' });

  async run() {
    const query = this.limit === undefined ? '' : `?limit=${this.limit}`;
    const history = await this.client().request<{ items: Record<string, unknown>[] }>('GET', `${referencesPath(this.serverId)}/history${query}`);
    if (this.json) this.printJson(history);
    else this.print(this.table(history.items, ['version', 'actor', 'changed_at', 'measurements']));
  }
}
