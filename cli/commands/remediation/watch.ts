// mcpctl remediation watch [--run-id N]: the current state first (the run, or every active run), then runs
// live. With --run-id it replays the run's events from its start and exits when the run ends; reconnects
// resume after the last event printed (Last-Event-ID). With --since it resumes there and prints no state.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { WatchCommand } from '../../watch-command.ts';
import { runsPath } from './columns.ts';
import { finalEvents, renderRemediationEvent } from './render-event.ts';

type Run = Record<string, unknown>;
const endStates = new Set(['succeeded', 'failed', 'cancelled', 'denied', 'expired']);

export class RemediationWatchCommand extends WatchCommand {
  static override paths = [['remediation', 'watch']];
  static override usage = WatchCommand.Usage({
    description: 'Print the current run state, then follow remediation status transitions and logs live (--json: one JSON object per line)',
    examples: [['One run until it ends', 'mcpctl remediation watch --run-id 12'], ['Every run of mine', 'mcpctl remediation watch --json']],
  });

  runId = Option.String('--run-id', { validator: t.isNumber(), description: 'Only this run (from its start; exits when it ends)' });
  since = Option.String('--since', { description: 'Resume after this event id (no current state is printed)' });

  private async printCurrent(): Promise<void> {
    const client = this.client();
    const runs =
      this.runId === undefined
        ? (await client.request<{ items: Run[] }>('GET', `${runsPath}?limit=200`)).items.filter((run) => !endStates.has(String(run.status)))
        : [await client.request<Run>('GET', `${runsPath}/${this.runId}`)];
    for (const run of runs) {
      if (this.json) this.print(JSON.stringify({ id: null, event: 'current', run_id: run.id, status: run.status, approval_state: run.approval_state, attempt: run.attempt, version: run.version }));
      else this.print(`current run=${String(run.id)} status=${String(run.status)} approval=${String(run.approval_state)} attempt=${String(run.attempt)} version=${String(run.version)}`);
    }
  }

  async run() {
    const path = `/api/trust/remediation/stream${this.runId === undefined ? '' : `?run_id=${this.runId}`}`;
    const onOpen = this.since === undefined ? (first: boolean) => (first ? this.printCurrent() : undefined) : undefined;
    const frames = this.followStream(this.client(), path, { since: this.since, ...(onOpen ? { onOpen } : {}) });
    for await (const frame of frames) {
      if (this.json) this.print(JSON.stringify({ id: Number(frame.id), event: frame.event, ...frame.data }));
      else for (const line of renderRemediationEvent(frame.id, frame.event, frame.data)) this.print(line);
      if (this.runId !== undefined && finalEvents.has(frame.event)) return 0;
    }
  }
}
