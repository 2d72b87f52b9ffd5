// mcpctl trust registry history <vm_instance_id> [--limit N]
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';

const columns = ['id', 'registry_version', 'previous_lifecycle_state', 'lifecycle_state', 'attestation_status', 'remediation_state', 'trigger', 'actor', 'verifier', 'reason', 'created_at'];

export class TrustRegistryHistoryCommand extends ApiCommand {
  static override paths = [['trust', 'registry', 'history']];
  static override usage = ApiCommand.Usage({
    description: 'Lifecycle transitions of one VM instance, newest first',
    examples: [['Last 10 transitions of instance 7', 'mcpctl trust registry history 7 --limit 10']],
  });

  vmInstanceId = Option.String({ name: 'vm_instance_id' });
  limit = Option.String('--limit', { description: 'How many rows (server default and maximum apply)' });

  async run() {
    const query = this.limit === undefined ? '' : `?limit=${encodeURIComponent(this.limit)}`;
    const history = await this.client().request<{ items: Record<string, unknown>[] }>('GET', `/api/trust/registry/${encodeURIComponent(this.vmInstanceId)}/history${query}`);
    if (this.json) this.printJson(history);
    else this.print(this.table(history.items, columns));
  }
}
