// mcpctl remediation workspaces get <id>: the WorkspaceEnvelope (workspace, revisions, gates, promotions).
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { revisionColumns, workspacesPath } from './shared.ts';

interface Envelope {
  workspace: Record<string, unknown>;
  revisions: { revision: Record<string, unknown>; actions: Record<string, boolean>; awaiting: string | null }[];
  gate_summaries: Record<string, unknown>[];
  promotions: Record<string, unknown>[];
}

export class RemediationWorkspacesGetCommand extends ApiCommand {
  static override paths = [['remediation', 'workspaces', 'get']];
  static override usage = ApiCommand.Usage({ description: 'Show a workspace: its revisions, gate summaries and promotions', examples: [['Workspace 3', 'mcpctl remediation workspaces get 3']] });

  id = Option.String({ name: 'id' });

  async run() {
    const envelope = await this.client().request<Envelope>('GET', `${workspacesPath}/${encodeURIComponent(this.id)}`);
    if (this.json) return this.printJson(envelope);
    const active = envelope.revisions.find((item) => item.revision.id === envelope.workspace.active_revision_id);
    const legal = active === undefined ? '-' : Object.entries(active.actions).filter(([, yes]) => yes).map(([name]) => name).join(', ') || 'none';
    this.print([
      this.record(envelope.workspace, ['id', 'workspace_key', 'display_name', 'lifecycle_state', 'playbook_id', 'executor_type', 'active_revision_id', 'version']),
      `awaiting: ${active?.awaiting ?? '-'}   legal now: ${legal}`,
      'revisions:',
      this.table(envelope.revisions.map((item) => item.revision), revisionColumns),
      'gates of the active revision:',
      this.table(envelope.gate_summaries, ['gate', 'status', 'snapshot_id', 'recorded_at']),
      'promotions:',
      this.table(envelope.promotions, ['id', 'revision_id', 'status', 'playbook_version', 'track_name', 'stage', 'max_parallel']),
    ].join('\n'));
  }
}
