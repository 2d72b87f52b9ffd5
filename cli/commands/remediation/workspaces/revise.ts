// mcpctl remediation workspaces revise <id> --version V --plan JSON [--targets 1,2] [--labels a,b]
import { Option } from 'clipanion';
import { ApiCommand, parseJsonOption } from '../../../api-command.ts';
import { readVersionFlag, requiredFlag } from '../../../flags.ts';
import { etagVersion, splitIds, splitList, workspacesPath } from './shared.ts';

export class RemediationWorkspacesReviseCommand extends ApiCommand {
  static override paths = [['remediation', 'workspaces', 'revise']];
  static override usage = ApiCommand.Usage({
    description: 'Append a revision under the workspace version you read; the previous revision is superseded',
    examples: [['Revision 2 of workspace 3', `mcpctl remediation workspaces revise 3 --version 1 --plan '{"command":"/bin/true"}' --labels hotfix`]],
  });

  id = Option.String({ name: 'id' });
  version = readVersionFlag();
  plan = requiredFlag('--plan', { placeholder: 'json', description: 'JSON plan of the new revision' });
  targets = Option.String('--targets', { description: 'Comma-separated VM instance ids (default: the previous revision\'s)' });
  labels = Option.String('--labels', { description: 'Comma-separated lineage labels' });

  async run() {
    const body = {
      expected_version: this.version,
      plan: parseJsonOption('--plan', this.plan),
      ...(this.targets === undefined ? {} : { targets: splitIds(this.targets) }),
      ...(this.labels === undefined ? {} : { lineage_labels: splitList(this.labels) }),
    };
    const { body: envelope, headers } = await this.client().exchange<{ revision: Record<string, unknown> }>('POST', `${workspacesPath}/${encodeURIComponent(this.id)}/revisions`, body);
    if (this.json) return this.printJson({ ...envelope, workspace_version: etagVersion(headers) });
    this.print(this.record({ ...envelope.revision, workspace_version: etagVersion(headers) }, ['id', 'revision_number', 'state', 'version', 'workspace_version']));
  }
}
