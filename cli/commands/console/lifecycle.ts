// mcpctl console lifecycle [--workspace-key K] [--lifecycle-state S] [--json]: the lifecycle console page, one
// row per workspace (its gates, promotions and latest run), or the page as JSON.
import { Option } from 'clipanion';
import { ApiCommand } from '../../api-command.ts';

type Entry = {
  workspace: Record<string, unknown>;
  active_revision: Record<string, unknown> | null;
  promotion_postures: Record<string, unknown>[];
  recent_runs: { run: Record<string, unknown>; trust: Record<string, unknown> | null }[];
};

const columns = ['id', 'workspace_key', 'lifecycle_state', 'revision', 'gates', 'promotions', 'runs', 'latest_run', 'trust'];

export function consoleRow(entry: Entry): Record<string, unknown> {
  const revision = entry.active_revision;
  const latest = entry.recent_runs[0];
  return {
    id: entry.workspace.id,
    workspace_key: entry.workspace.workspace_key,
    lifecycle_state: entry.workspace.lifecycle_state,
    revision: revision?.revision_number ?? '-',
    gates: revision ? ['schema', 'policy', 'simulation', 'promotion'].map((gate) => `${gate[0]}:${String(revision[`${gate}_status`])}`).join(' ') : '-',
    promotions: entry.promotion_postures.length,
    runs: entry.recent_runs.length,
    latest_run: latest ? `#${String(latest.run.id)} ${String(latest.run.status)}` : '-',
    trust: latest?.trust ? `${String(latest.trust.lifecycle_state)}/${String(latest.trust.attestation_status)}` : '-',
  };
}

export class ConsoleLifecycleCommand extends ApiCommand {
  static override paths = [['console', 'lifecycle']];
  static override usage = ApiCommand.Usage({
    description: 'Show the lifecycle console page: workspaces with their gates, promotions, recent runs and trust',
    examples: [['Every workspace', 'mcpctl console lifecycle'], ['One workspace, as JSON', 'mcpctl console lifecycle --workspace-key workspace-alpha --json']],
  });

  workspaceKey = Option.String('--workspace-key', { description: 'Only this workspace' });
  lifecycleState = Option.String('--lifecycle-state', { description: 'draft|promoting|promoted|abandoned' });
  runLimit = Option.String('--run-limit', { description: 'Recent runs per workspace (0-100, default 10)' });
  limit = Option.String('--limit', '50', { description: 'Workspaces per page (1-200)' });
  cursor = Option.String('--cursor', { description: 'Continue after this cursor' });

  async run() {
    const params = { workspace_key: this.workspaceKey, lifecycle_state: this.lifecycleState, run_limit: this.runLimit, limit: this.limit, cursor: this.cursor };
    const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const page = await this.client().request<{ workspaces: Entry[]; next_cursor: string | null }>('GET', `/api/console/lifecycle?${query}`);
    if (this.json) this.printJson(page);
    else this.print(this.table(page.workspaces.map(consoleRow), columns) + (page.next_cursor ? `next cursor: ${page.next_cursor}\n` : ''));
  }
}
