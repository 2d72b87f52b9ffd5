// mcpctl vm stop <server-id> [--version V]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../api-command.ts';

export class VmStopCommand extends ApiCommand {
  static override paths = [['vm', 'stop']];
  static override usage = ApiCommand.Usage({
    description: "Stop a server's VM: graceful shutdown, then destroy after LIBVIRT_SHUTDOWN_TIMEOUT_MS",
    examples: [['Stop server 3', 'mcpctl vm stop 3']],
  });

  id = Option.String({ name: 'server-id' });
  version = Option.String('--version', { validator: t.isNumber(), description: 'The server version you read' });

  async run() {
    const accepted = await this.client().request<Record<string, unknown>>('POST', `/api/servers/${encodeURIComponent(this.id)}/vm/stop`, this.version === undefined ? {} : { version: this.version });
    if (this.json) this.printJson(accepted);
    else this.print(this.record(accepted));
  }
}
