// mcpctl remediation workspaces create --key K --display-name N --playbook-id P [--plan JSON] [--targets 1,2]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand, parseJsonOption } from '../../../api-command.ts';
import { requiredFlag } from '../../../flags.ts';
import { etagVersion, splitIds, splitList, workspacesPath } from './shared.ts';

export class RemediationWorkspacesCreateCommand extends ApiCommand {
  static override paths = [['remediation', 'workspaces', 'create']];
  static override usage = ApiCommand.Usage({
    description: 'Create a draft workspace for a catalog playbook; revision 1 holds --plan (else the playbook plan)',
    examples: [['Draft a fix of playbook 4 for two instances', 'mcpctl remediation workspaces create --key motd-fix --display-name "Fix motd" --playbook-id 4 --targets 11,12']],
  });

  key = requiredFlag('--key', { description: 'Workspace key (unique per tenant)' });
  displayName = requiredFlag('--display-name', { description: 'Human-readable name' });
  playbookId = requiredFlag('--playbook-id', { validator: t.isNumber(), description: 'The catalog playbook the workspace drafts changes to' });
  plan = Option.String('--plan', { description: 'JSON plan of revision 1' });
  targets = Option.String('--targets', { description: 'Comma-separated VM instance ids the revision is for' });
  tags = Option.String('--lineage-tags', { description: 'Comma-separated lineage tags' });
  allowUnsimulated = Option.Boolean('--allow-unsimulated', false, { description: 'Ask the policy to accept tasks a dry run cannot simulate (a soft rule: needs an approver)' });

  async run() {
    const body = {
      workspace_key: this.key,
      display_name: this.displayName,
      playbook_id: this.playbookId,
      allow_unsimulated: this.allowUnsimulated,
      ...(this.plan === undefined ? {} : { plan: parseJsonOption('--plan', this.plan) }),
      ...(this.targets === undefined ? {} : { targets: splitIds(this.targets) }),
      ...(this.tags === undefined ? {} : { lineage_tags: splitList(this.tags) }),
    };
    const { body: envelope, headers } = await this.client().exchange<{ workspace: Record<string, unknown> }>('POST', workspacesPath, body);
    if (this.json) return this.printJson({ ...envelope, workspace_version: etagVersion(headers) });
    this.print(this.record(envelope.workspace, ['id', 'workspace_key', 'lifecycle_state', 'active_revision_id', 'version']));
  }
}
