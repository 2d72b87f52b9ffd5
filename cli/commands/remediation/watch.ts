// mcpctl remediation watch [--run-id N]: follow runs live. With --run-id it replays the run from its start and
// exits when the run ends; reconnects resume after the last event printed (Last-Event-ID).
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiProblem } from '../../api-client.ts';
import { ApiCommand } from '../../api-command.ts';
import { readSseFrames } from '../../sse-frames.ts';
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
    const client = this.client();
    let lastId = this.since;
    const path = `/api/trust/remediation/stream${this.runId === undefined ? '' : `?run_id=${this.runId}`}`;
    for (;;) {
      try {
        const response = await client.open(path, { headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) } });
        for await (const frame of readSseFrames(response)) {
          lastId = frame.id;
          if (this.json) this.print(JSON.stringify({ id: Number(frame.id), event: frame.event, ...frame.data }));
          else for (const line of renderRemediationEvent(frame.id, frame.event, frame.data)) this.print(line);
          if (this.runId !== undefined && finalEvents.has(frame.event)) return 0;
        }
      } catch (error) {
        if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) throw error;
      }
      this.context.stderr.write(`stream dropped; reconnecting after event ${lastId ?? '(start)'}\n`);
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }
}
