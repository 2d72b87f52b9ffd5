// mcpctl trust registry list: registry snapshots with the same filters as the API (and the watch stream).
import { Option } from 'clipanion';
import { ListCommand } from '../../../list-command.ts';
import { filterQuery } from './filters.ts';

export const registryColumns = ['vm_instance_id', 'server_id', 'lifecycle_state', 'attestation_status', 'remediation_state', 'remediation_attempts', 'stale', 'version'];

export class TrustRegistryListCommand extends ListCommand {
  static override paths = [['trust', 'registry', 'list']];
  static override usage = ListCommand.Usage({
    description: 'List the trust registry',
    examples: [['Quarantined instances', 'mcpctl trust registry list --lifecycle-state quarantined'], ['Stale, as JSON', 'mcpctl trust registry list --stale true --json']],
  });

  serverId = Option.String('--server-id', { description: 'Only this server' });
  lifecycleState = Option.String('--lifecycle-state', { description: 'pending|trusted|suspect|quarantined|remediating|restored|retired' });
  attestationStatus = Option.String('--attestation-status', { description: 'trusted|untrusted|unknown' });
  stale = Option.String('--stale', { description: 'true|false' });

  async run() {
    this.printPage(await this.fetchPages('/api/trust/registry', Object.fromEntries(filterQuery(this))), registryColumns);
  }
}
