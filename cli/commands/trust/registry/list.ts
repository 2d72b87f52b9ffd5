// mcpctl trust registry list: registry snapshots with the same filters as the API (and the watch stream).
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { renderTable } from '../../../render.ts';
import { filterQuery } from './filters.ts';

export const registryColumns = ['vm_instance_id', 'server_id', 'lifecycle_state', 'attestation_status', 'remediation_state', 'remediation_attempts', 'stale', 'version'];

export class TrustRegistryListCommand extends ApiCommand {
  static override paths = [['trust', 'registry', 'list']];
  static override usage = ApiCommand.Usage({
    description: 'List the trust registry',
    examples: [['Quarantined instances', 'mcpctl trust registry list --lifecycle-state quarantined'], ['Stale, as JSON', 'mcpctl trust registry list --stale true --json']],
  });

  serverId = Option.String('--server-id', { description: 'Only this server' });
  lifecycleState = Option.String('--lifecycle-state', { description: 'pending|trusted|suspect|quarantined|remediating|restored|retired' });
  attestationStatus = Option.String('--attestation-status', { description: 'trusted|untrusted|unknown' });
  stale = Option.String('--stale', { description: 'true|false' });
  limit = Option.String('--limit', '50', { description: 'Page size (1-200)' });
  cursor = Option.String('--cursor', { description: 'Continue after this cursor' });
  all = Option.Boolean('--all', false, { description: 'Follow cursors until the last page' });

  async run() {
    const client = this.client();
    const items: Record<string, unknown>[] = [];
    let cursor = this.cursor;
    let next: string | null = null;
    do {
      const query = filterQuery(this, { limit: this.limit, ...(cursor ? { cursor } : {}) });
      const page = await client.request<{ items: Record<string, unknown>[]; next_cursor: string | null }>('GET', `/api/trust/registry?${query}`);
      items.push(...page.items);
      next = page.next_cursor;
      cursor = next ?? undefined;
    } while (this.all && next !== null);
    if (this.json) this.printJson({ items, next_cursor: next });
    else this.print(renderTable(items, registryColumns) + (next ? `next cursor: ${next}\n` : ''));
  }
}
