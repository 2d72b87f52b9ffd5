// mcpctl console watch [--workspace-key K] [--lifecycle-state S] [--json]: follow the lifecycle console stream. --json prints each
// envelope as one JSON line (NDJSON: snapshot parts, snapshot-complete, delta, heartbeat); reconnects resume
// after the last event (Last-Event-ID), so nothing is printed twice.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { WatchCommand } from '../../watch-command.ts';

type Delta = { workspace_key: string; version_from: number; version_to: number; removed: boolean; analytics_changes: unknown[]; artifact_changes: unknown[]; removed_run_ids: unknown[]; promotion_posture_deltas: unknown[]; promotion_run_deltas: unknown[] };

export function renderConsoleEvent(event: string, data: Record<string, unknown>): string[] {
  if (event === 'snapshot') return [`snapshot part ${String(data.part)}/${String(data.parts)} cursor=${String(data.cursor)} workspaces=${(data.page as { workspaces: unknown[] }).workspaces.length}`];
  if (event === 'snapshot-complete') return [`snapshot complete cursor=${String(data.cursor)} workspaces=${String(data.workspaces)}`];
  if (event === 'delta') {
    const { workspaces, removed_workspace_ids: removed } = data.delta as { workspaces: Delta[]; removed_workspace_ids: number[] };
    return [
      ...workspaces.map((delta) => `delta cursor=${String(data.cursor)} workspace=${delta.workspace_key} v${delta.version_from}->v${delta.version_to} runs=${delta.analytics_changes.length} artifacts=${delta.artifact_changes.length} removed_runs=${delta.removed_run_ids.length} postures=${delta.promotion_posture_deltas.length} promotion_runs=${delta.promotion_run_deltas.length}`),
      ...removed.map((id) => `delta cursor=${String(data.cursor)} workspace removed id=${id}`),
    ];
  }
  if (event === 'error') return [`error ${String(data.code)}: ${String(data.detail)}`];
  return [];
}

export class ConsoleWatchCommand extends WatchCommand {
  static override paths = [['console', 'watch']];
  static override usage = WatchCommand.Usage({
    description: 'Follow the lifecycle console stream: a snapshot, then deltas (--json: one envelope per line)',
    examples: [['Everything, as NDJSON', 'mcpctl console watch --json'], ['One workspace', 'mcpctl console watch --workspace-key workspace-alpha'], ['Workspaces being promoted', 'mcpctl console watch --lifecycle-state promoting']],
  });

  workspaceKey = Option.String('--workspace-key', { description: 'Only this workspace' });
  lifecycleState = Option.String('--lifecycle-state', { description: 'Only workspaces in this state (draft, promoting, promoted, abandoned)' });
  since = Option.String('--since', { description: 'Resume after this cursor (no snapshot unless it is below retention)' });
  count = Option.String('--count', { validator: t.isNumber(), description: 'Exit after printing this many events (heartbeats not counted)' });

  async run() {
    const query = new URLSearchParams({ ...(this.workspaceKey === undefined ? {} : { workspace_key: this.workspaceKey }), ...(this.lifecycleState === undefined ? {} : { lifecycle_state: this.lifecycleState }) }).toString();
    const path = `/api/console/lifecycle/stream${query === '' ? '' : `?${query}`}`;
    let printed = 0;
    for await (const frame of this.followStream(this.client(), path, { since: this.since })) {
      if (this.json) this.print(JSON.stringify({ id: frame.id === '' ? null : Number(frame.id), event: frame.event, ...frame.data }));
      else for (const line of renderConsoleEvent(frame.event, frame.data)) this.print(line);
      if (frame.event !== 'heartbeat') printed += 1;
      if (this.count !== undefined && printed >= this.count) return 0;
    }
  }
}
