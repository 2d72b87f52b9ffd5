// mcpctl trust registry transition <vm_instance_id> --to STATE --version V [--reason TEXT]
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { readVersionFlag, requiredFlag } from '../../../flags.ts';

export class TrustRegistryTransitionCommand extends ApiCommand {
  static override paths = [['trust', 'registry', 'transition']];
  static override usage = ApiCommand.Usage({
    description: 'Move an instance to a lifecycle state; --version is the version you read (stale → 409, forbidden by the table → 422)',
    examples: [['Quarantine instance 7 read at version 3', 'mcpctl trust registry transition 7 --to quarantined --version 3 --reason "unexpected egress"']],
  });

  vmInstanceId = Option.String({ name: 'vm_instance_id' });
  to = requiredFlag('--to', { placeholder: 'state', description: 'Target lifecycle state' });
  version = readVersionFlag();
  reason = Option.String('--reason', { description: 'Why (kept in the history)' });

  async run() {
    const body = { version: this.version, lifecycle_state: this.to, ...(this.reason === undefined ? {} : { reason: this.reason }) };
    const result = await this.client().request<{ registry: Record<string, unknown>; history: Record<string, unknown> }>(
      'POST',
      `/api/trust/registry/${encodeURIComponent(this.vmInstanceId)}/transition`,
      body,
    );
    if (this.json) this.printJson(result);
    else this.print(this.record(result.registry));
  }
}
