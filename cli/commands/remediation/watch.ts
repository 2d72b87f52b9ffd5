// mcpctl remediation watch [--run-id N]: follow runs live. With --run-id it replays the run from its start and
// exits when the run ends; reconnects resume after the last event printed (Last-Event-ID).
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../api-command.ts';
import { followStream } from '../../follow-stream.ts';
import { finalEvents, renderRemediationEvent } from './render-event.ts';

export class RemediationWatchCommand extends ApiCommand {
  static override paths = [['remediation', 'watch']];
  static override usage = ApiCommand.Usage({
    description: 'Follow remediation status transitions and logs live (--json: one JSON object per event)',
    examples: [['One run until it ends', 'mcpctl remediation watch --run-id 12'], ['Every run of mine', 'mcpctl remediation watch --json']],
  });

  runId = Option.String('--run-id', { validator: t.isNumber(), description: 'Only this run (from its start; exits when it ends)' });
  since = Option.String('--since', { description: 'Resume after this event id' });
  retryMs = Option.String('--retry-ms', '1000', { validator: t.isNumber(), description: 'Pause before reconnecting' });

  async run() {
    const path = `/api/trust/remediation/stream${this.runId === undefined ? '' : `?run_id=${this.runId}`}`;
    const frames = followStream(this.client(), path, {
      since: this.since,
      retryMs: this.retryMs,
      onReconnect: (lastId) => this.context.stderr.write(`stream dropped; reconnecting after event ${lastId ?? '(start)'}\n`),
      onReset: (notice) => this.context.stderr.write(notice),
    });
    for await (const frame of frames) {
      if (this.json) this.print(JSON.stringify({ id: Number(frame.id), event: frame.event, ...frame.data }));
      else for (const line of renderRemediationEvent(frame.id, frame.event, frame.data)) this.print(line);
      if (this.runId !== undefined && finalEvents.has(frame.event)) return 0;
    }
  }
}
