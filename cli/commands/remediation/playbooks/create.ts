// mcpctl remediation playbooks create --key K --executor shell|ansible|cloud --plan JSON [...]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand, parseJsonOption } from '../../../api-command.ts';
import { playbooksPath } from '../columns.ts';
import { requiredFlag } from '../../../flags.ts';

export class RemediationPlaybooksCreateCommand extends ApiCommand {
  static override paths = [['remediation', 'playbooks', 'create']];
  static override usage = ApiCommand.Usage({
    description: 'Add a playbook to the catalog; --plan is validated against the executor type',
    examples: [
      ['A shell playbook run on quarantine without approval', `mcpctl remediation playbooks create --key restart --executor shell --plan '{"command":"systemctl","args":["restart","agent"]}' --no-approval --selector '{"on_quarantine":true}'`],
    ],
  });

  key = requiredFlag('--key', { description: 'Playbook key (unique per tenant; runs name it with --playbook-key)' });
  executor = requiredFlag('--executor', { description: 'shell, ansible or cloud' });
  plan = requiredFlag('--plan', { placeholder: 'json', description: 'JSON plan for the executor' });
  noApproval = Option.Boolean('--no-approval', false, { description: 'Runs are auto-approved' });
  sla = Option.String('--sla-seconds', { validator: t.isNumber(), description: 'Seconds a run may take from request to end before it expires' });
  timeout = Option.String('--timeout-seconds', { validator: t.isNumber(), description: 'Seconds one attempt may run before it is killed' });
  retryLimit = Option.String('--retry-limit', { validator: t.isNumber(), description: 'Retries after a failed attempt' });
  selector = Option.String('--selector', { description: 'JSON quarantine selector' });
  metadata = Option.String('--metadata', { description: 'JSON object' });
  displayName = Option.String('--display-name', { description: 'Human-readable name' });

  async run() {
    const optional: Record<string, unknown> = {
      sla_duration_seconds: this.sla,
      timeout_seconds: this.timeout,
      retry_limit: this.retryLimit,
      selector: parseJsonOption('--selector', this.selector),
      metadata: parseJsonOption('--metadata', this.metadata),
      display_name: this.displayName,
    };
    const body = {
      playbook_key: this.key,
      executor_type: this.executor,
      plan: parseJsonOption('--plan', this.plan),
      approval_required: !this.noApproval,
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    };
    const playbook = await this.client().request<Record<string, unknown>>('POST', playbooksPath, body);
    if (this.json) this.printJson(playbook);
    else this.print(this.record(playbook));
  }
}
