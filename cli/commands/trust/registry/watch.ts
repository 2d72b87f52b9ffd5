// mcpctl trust registry watch: the current registry rows (same filters), then one line per transition;
// reconnects after a dropped connection and resumes after the last event it printed (Last-Event-ID), so
// nothing is missed or printed twice. With --since it resumes there and prints no current rows.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { WatchCommand } from '../../../watch-command.ts';
import { filterQuery } from './filters.ts';

type Row = Record<string, unknown>;

export class TrustRegistryWatchCommand extends WatchCommand {
  static override paths = [['trust', 'registry', 'watch']];
  static override usage = WatchCommand.Usage({
    description: 'Print the matching registry rows, then follow transitions live (same filters as list)',
    examples: [['Everything', 'mcpctl trust registry watch'], ['First 5 quarantines as JSON lines', 'mcpctl trust registry watch --lifecycle-state quarantined --count 5 --json']],
  });

  serverId = Option.String('--server-id', { description: 'Only this server' });
  lifecycleState = Option.String('--lifecycle-state', { description: 'pending|trusted|suspect|quarantined|remediating|restored|retired' });
  attestationStatus = Option.String('--attestation-status', { description: 'trusted|untrusted|unknown' });
  stale = Option.String('--stale', { description: 'true|false' });
  since = Option.String('--since', { description: 'Resume after this event id (no current rows are printed)' });
  count = Option.String('--count', { validator: t.isNumber(), description: 'Exit after this many transitions (current rows not counted)' });

  /** Registry version each current row was printed at: a transition the row already shows is not printed again. */
  private readonly shown = new Map<string, number>();

  private async printCurrent(): Promise<void> {
    const client = this.client();
    let cursor: string | null = null;
    do {
      const query = filterQuery(this, { limit: '200', ...(cursor ? { cursor } : {}) });
      const page: { items: Row[]; next_cursor: string | null } = await client.request('GET', `/api/trust/registry?${query}`);
      for (const row of page.items) {
        this.shown.set(String(row.vm_instance_id), Number(row.version));
        this.print(this.json ? JSON.stringify({ id: null, event: 'current', ...row }) : currentLine(row));
      }
      cursor = page.next_cursor;
    } while (cursor !== null);
  }

  async run() {
    let printed = 0;
    const onOpen = this.since === undefined ? (first: boolean) => (first ? this.printCurrent() : undefined) : undefined;
    const frames = this.followStream(this.client(), `/api/trust/registry/stream?${filterQuery(this)}`, { since: this.since, ...(onOpen ? { onOpen } : {}) });
    for await (const frame of frames) {
      if (Number(frame.data.version) <= (this.shown.get(String(frame.data.vm_instance_id)) ?? 0)) continue;
      this.print(this.json ? JSON.stringify({ id: Number(frame.id), event: frame.event, ...frame.data }) : line(frame.id, frame.data));
      printed += 1;
      if (this.count !== undefined && printed >= this.count) return 0;
    }
  }
}

function currentLine(row: Row): string {
  return `current vm=${String(row.vm_instance_id)} ${String(row.lifecycle_state)} v${String(row.version)} attestation=${String(row.attestation_status)} stale=${String(row.stale)}`;
}

function line(id: string, data: Row): string {
  const from = data.previous_lifecycle_state ?? '-';
  return `${id} vm=${String(data.vm_instance_id)} ${String(from)}->${String(data.lifecycle_state)} v${String(data.version)} attestation=${String(data.attestation_status)} trigger=${String(data.trigger)}`;
}
