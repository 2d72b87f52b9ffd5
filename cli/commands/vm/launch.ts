// mcpctl vm launch <server-id> [--version V]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../api-command.ts';

export class VmLaunchCommand extends ApiCommand {
  static override paths = [['vm', 'launch']];
  static override usage = ApiCommand.Usage({
    description: "Launch a server's VM (the placement gate may hold it in pending-remediation / pending-attestation)",
    examples: [['Launch server 3', 'mcpctl vm launch 3'], ['Launch only if server 3 is still at version 4', 'mcpctl vm launch 3 --version 4']],
  });

  id = Option.String({ name: 'server-id' });
  version = Option.String('--version', { validator: t.isNumber(), description: 'The server version you read' });

  async run() {
    const accepted = await this.client().request<Record<string, unknown>>('POST', `/api/servers/${encodeURIComponent(this.id)}/vm/launch`, this.version === undefined ? {} : { version: this.version });
    if (this.json) this.printJson(accepted);
    else this.print(this.record(accepted));
  }
}
