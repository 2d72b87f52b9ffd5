// mcpctl remediation workspaces abandon <id> --version V [--reason R]
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { readVersionFlag } from '../../../flags.ts';
import { etagVersion, workspacesPath } from './shared.ts';

export class RemediationWorkspacesAbandonCommand extends ApiCommand {
  static override paths = [['remediation', 'workspaces', 'abandon']];
  static override usage = ApiCommand.Usage({ description: 'Abandon a workspace and its active revision (not while it is being promoted)', examples: [['Abandon workspace 3', 'mcpctl remediation workspaces abandon 3 --version 4 --reason "superseded by ticket 12"']] });

  id = Option.String({ name: 'id' });
  version = readVersionFlag();
  reason = Option.String('--reason', { description: 'Why (kept on the workspace stream)' });

  async run() {
    const { body, headers } = await this.client().exchange<{ revision: Record<string, unknown> }>('POST', `${workspacesPath}/${encodeURIComponent(this.id)}/abandon`, {
      expected_version: this.version, ...(this.reason === undefined ? {} : { reason: this.reason }),
    });
    if (this.json) return this.printJson({ ...body, workspace_version: etagVersion(headers) });
    this.print(`abandoned workspace ${this.id} (revision ${String(body.revision.id)} ${String(body.revision.state)}, version ${etagVersion(headers)})`);
  }
}
