// mcpctl remediation workspaces diff <id>: the latest sandbox simulation's per-task results and diff.
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { workspacesPath } from './shared.ts';

interface Execution {
  id: number;
  revision_id: number;
  gate_status: string;
  tasks: { host: string; task: string; result: string; diff?: string }[];
  diff_snapshot: { unified?: string };
}

export class RemediationWorkspacesDiffCommand extends ApiCommand {
  static override paths = [['remediation', 'workspaces', 'diff']];
  static override usage = ApiCommand.Usage({ description: "Show the latest sandbox simulation's tasks and diff", examples: [['Workspace 3', 'mcpctl remediation workspaces diff 3']] });

  id = Option.String({ name: 'id' });

  async run() {
    const envelope = await this.client().request<{ sandbox_executions: Execution[] }>('GET', `${workspacesPath}/${encodeURIComponent(this.id)}`);
    const latest = envelope.sandbox_executions.at(-1);
    if (this.json) return this.printJson(latest ?? null);
    if (latest === undefined) return this.print('no simulation yet');
    this.print(`simulation ${latest.id} of revision ${latest.revision_id}: ${latest.gate_status}\n${this.table(latest.tasks, ['host', 'task', 'result'])}${latest.diff_snapshot.unified ?? ''}`);
  }
}
