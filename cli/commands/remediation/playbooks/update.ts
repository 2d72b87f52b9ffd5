// mcpctl remediation playbooks update <id> --version V [...]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand, parseJsonOption } from '../../../api-command.ts';
import { playbooksPath } from '../columns.ts';
import { readVersionFlag } from '../../../flags.ts';

export class RemediationPlaybooksUpdateCommand extends ApiCommand {
  static override paths = [['remediation', 'playbooks', 'update']];
  static override usage = ApiCommand.Usage({
    description: 'Change a playbook; --version is the version you read (a stale one is refused with 409)',
    examples: [['Allow 5 retries', 'mcpctl remediation playbooks update 4 --version 2 --retry-limit 5']],
  });

  id = Option.String({ name: 'id' });
  version = readVersionFlag();
  plan = Option.String('--plan', { description: 'JSON plan' });
  approvalRequired = Option.String('--approval-required', { validator: t.isBoolean(), description: 'true: runs wait for an approver; false: auto-approved' });
  sla = Option.String('--sla-seconds', { validator: t.isNumber(), description: 'Seconds a run may take from request to end before it expires' });
  timeout = Option.String('--timeout-seconds', { validator: t.isNumber(), description: 'Seconds one attempt may run before it is killed' });
  retryLimit = Option.String('--retry-limit', { validator: t.isNumber(), description: 'Retries after a failed attempt' });
  selector = Option.String('--selector', { description: 'JSON quarantine selector' });
  metadata = Option.String('--metadata', { description: 'JSON object' });

  async run() {
    const changes: Record<string, unknown> = {
      version: this.version,
      plan: parseJsonOption('--plan', this.plan),
      approval_required: this.approvalRequired,
      sla_duration_seconds: this.sla,
      timeout_seconds: this.timeout,
      retry_limit: this.retryLimit,
      selector: parseJsonOption('--selector', this.selector),
      metadata: parseJsonOption('--metadata', this.metadata),
    };
    const body = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const playbook = await this.client().request<Record<string, unknown>>('PATCH', `${playbooksPath}/${encodeURIComponent(this.id)}`, body);
    if (this.json) this.printJson(playbook);
    else this.print(this.record(playbook));
  }
}
