// mcpctl evaluations list: each server's evaluation, with the same filters as the API.
import { Option } from 'clipanion';
import { ListCommand } from '../../list-command.ts';

export const evaluationColumns = ['id', 'server_id', 'server_name', 'lifecycle_state', 'attestation_status', 'blocked', 'refresh_state', 'next_refresh_at', 'last_refresh_at'];

export class EvaluationsListCommand extends ListCommand {
  static override paths = [['evaluations', 'list']];
  static override usage = ListCommand.Usage({
    description: 'List evaluations: lifecycle, attestation, whether placement is blocked, next and last refresh',
    examples: [['Blocked servers', 'mcpctl evaluations list --blocked true'], ['Quarantined, as JSON', 'mcpctl evaluations list --lifecycle-state quarantined --json']],
  });

  serverId = Option.String('--server-id', { description: 'Only this server' });
  lifecycleState = Option.String('--lifecycle-state', { description: 'pending|trusted|suspect|quarantined|remediating|restored|retired' });
  attestationStatus = Option.String('--attestation-status', { description: 'trusted|untrusted|unknown' });
  blocked = Option.String('--blocked', { description: 'true|false: the latest placement decision vetoed' });

  async run() {
    const filters = { server_id: this.serverId, lifecycle_state: this.lifecycleState, attestation_status: this.attestationStatus, blocked: this.blocked };
    this.printPage(await this.fetchPages('/api/evaluations', filters), evaluationColumns);
  }
}
