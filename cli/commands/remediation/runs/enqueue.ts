// mcpctl remediation runs enqueue --vm-instance-id N (--playbook-id P | --playbook-key K)
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand, parseJsonOption } from '../../../api-command.ts';
import { runsPath } from '../columns.ts';
import { requiredFlag } from '../../../flags.ts';

export class RemediationRunsEnqueueCommand extends ApiCommand {
  static override paths = [['remediation', 'runs', 'enqueue']];
  static override usage = ApiCommand.Usage({
    description: 'Start a run of a playbook for a VM instance (409 if the instance already has an active run)',
    examples: [['By key', 'mcpctl remediation runs enqueue --vm-instance-id 3 --playbook-key restart']],
  });

  vmInstanceId = requiredFlag('--vm-instance-id', { validator: t.isNumber(), placeholder: 'id', description: 'The VM instance to remediate' });
  playbookId = Option.String('--playbook-id', { validator: t.isNumber(), description: 'The playbook by id (or --playbook-key)' });
  playbookKey = Option.String('--playbook-key', { description: 'The playbook by key (or --playbook-id)' });
  metadata = Option.String('--metadata', { description: 'JSON object' });

  async run() {
    const body = {
      vm_instance_id: this.vmInstanceId,
      ...(this.playbookId === undefined ? {} : { playbook_id: this.playbookId }),
      ...(this.playbookKey === undefined ? {} : { playbook_key: this.playbookKey }),
      ...(this.metadata === undefined ? {} : { metadata: parseJsonOption('--metadata', this.metadata) }),
    };
    const run = await this.client().request<Record<string, unknown>>('POST', runsPath, body);
    if (this.json) this.printJson(run);
    else this.print(this.record(run, ['id', 'status', 'approval_state', 'playbook_key', 'sla_deadline', 'version']));
  }
}
