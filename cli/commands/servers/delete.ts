// mcpctl servers delete <id> [--version V]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../api-command.ts';

export class ServersDeleteCommand extends ApiCommand {
  static override paths = [['servers', 'delete']];
  static override usage = ApiCommand.Usage({
    description: 'Delete a server (with --version, only if nobody changed it since you read it)',
    examples: [['Delete server 3', 'mcpctl servers delete 3 --version 2']],
  });

  id = Option.String({ name: 'id' });
  version = Option.String('--version', { validator: t.isNumber(), description: 'Only if the server is still at this version (else 409)' });

  async run() {
    const query = this.version === undefined ? '' : `?version=${this.version}`;
    await this.client().request('DELETE', `/api/servers/${encodeURIComponent(this.id)}${query}`);
    if (this.json) this.printJson({ deleted: Number(this.id) });
    else this.print(`deleted server ${this.id}`);
  }
}
