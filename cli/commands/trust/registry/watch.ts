// mcpctl trust registry watch: one line per registry transition; reconnects after a dropped connection and
// resumes after the last event it printed (Last-Event-ID), so nothing is missed or printed twice.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../../api-command.ts';
import { filterQuery } from './filters.ts';
import { followStream } from '../../../follow-stream.ts';

export class TrustRegistryWatchCommand extends ApiCommand {
  static override paths = [['trust', 'registry', 'watch']];
  static override usage = ApiCommand.Usage({
    description: 'Follow registry transitions live (same filters as list)',
    examples: [['Everything', 'mcpctl trust registry watch'], ['First 5 quarantines as JSON lines', 'mcpctl trust registry watch --lifecycle-state quarantined --count 5 --json']],
  });

  serverId = Option.String('--server-id', { description: 'Only this server' });
  lifecycleState = Option.String('--lifecycle-state', { description: 'pending|trusted|suspect|quarantined|remediating|restored|retired' });
  attestationStatus = Option.String('--attestation-status', { description: 'trusted|untrusted|unknown' });
  stale = Option.String('--stale', { description: 'true|false' });
  since = Option.String('--since', { description: 'Resume after this event id' });
  count = Option.String('--count', { validator: t.isNumber(), description: 'Exit after this many events' });
  retryMs = Option.String('--retry-ms', '1000', { validator: t.isNumber(), description: 'Pause before reconnecting' });

  async run() {
    let printed = 0;
    const frames = followStream(this.client(), `/api/trust/registry/stream?${filterQuery(this)}`, {
      since: this.since,
      retryMs: this.retryMs,
      onReconnect: (lastId) => this.context.stderr.write(`stream dropped; reconnecting after event ${lastId ?? '(start)'}\n`),
      onReset: (notice) => this.context.stderr.write(notice),
    });
    for await (const frame of frames) {
      this.print(this.json ? JSON.stringify({ id: Number(frame.id), event: frame.event, ...frame.data }) : line(frame.id, frame.data));
      printed += 1;
      if (this.count !== undefined && printed >= this.count) return 0;
    }
  }
}

function line(id: string, data: Record<string, unknown>): string {
  const from = data.previous_lifecycle_state ?? '-';
  return `${id} vm=${String(data.vm_instance_id)} ${String(from)}->${String(data.lifecycle_state)} v${String(data.version)} attestation=${String(data.attestation_status)} trigger=${String(data.trigger)}`;
}
