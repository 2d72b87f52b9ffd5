// mcpctl trust registry get <vm_instance_id>
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';

export class TrustRegistryGetCommand extends ApiCommand {
  static override paths = [['trust', 'registry', 'get']];
  static override usage = ApiCommand.Usage({ description: "Show one VM instance's trust posture", examples: [['Instance 7', 'mcpctl trust registry get 7']] });

  vmInstanceId = Option.String({ name: 'vm_instance_id' });

  async run() {
    const entry = await this.client().request<Record<string, unknown>>('GET', `/api/trust/registry/${encodeURIComponent(this.vmInstanceId)}`);
    if (this.json) this.printJson(entry);
    else this.print(this.record(entry));
  }
}
