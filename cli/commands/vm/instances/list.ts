// mcpctl vm instances list [--server-id N]: the API has no instance collection; every instance has exactly one
// trust registry entry, so this lists those (the same rows as `trust registry list`, instance-first columns).
import { Option } from 'clipanion';
import { ListCommand } from '../../../list-command.ts';

const columns = ['vm_instance_id', 'server_id', 'lifecycle_state', 'attestation_status', 'remediation_state', 'stale', 'updated_at'];

export class VmInstancesListCommand extends ListCommand {
  static override paths = [['vm', 'instances', 'list']];
  static override usage = ListCommand.Usage({
    description: 'List VM instances with their trust posture (from the trust registry: one entry per instance)',
    examples: [['Instances of server 3', 'mcpctl vm instances list --server-id 3']],
  });

  serverId = Option.String('--server-id', { description: 'Only the instances of this server' });

  async run() {
    this.printPage(await this.fetchPages('/api/trust/registry', { server_id: this.serverId }), columns);
  }
}
