// mcpctl trust references get <server-id>: the reference measurements evidence is compared against.
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { referencesPath } from './path.ts';

interface References {
  server_id: number;
  measurements: Record<string, string>;
  version: number;
  updated_at: string;
}

export class TrustReferencesGetCommand extends ApiCommand {
  static override paths = [['trust', 'references', 'get']];
  static override usage = ApiCommand.Usage({
    description: "Show a server's reference measurements and their version (the --version `trust references set` needs)",
    examples: [['Server 3', 'mcpctl trust references get 3']],
  });

  serverId = Option.String({ name: 'server-id' });

  async run() {
    const references = await this.client().request<References>('GET', referencesPath(this.serverId));
    if (this.json) return this.printJson(references);
    const registers = Object.fromEntries(Object.entries(references.measurements).map(([register, value]) => [`  ${register}`, value]));
    this.print(this.record({ server_id: references.server_id, version: references.version, updated_at: references.updated_at, measurements: '', ...registers }));
  }
}
