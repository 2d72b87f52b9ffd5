// mcpctl trust accelerators list <vm-instance-id>: the accelerator posture recorded on an instance.
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';

export class TrustAcceleratorsListCommand extends ApiCommand {
  static override paths = [['trust', 'accelerators', 'list']];
  static override usage = ApiCommand.Usage({
    description: 'List the accelerator posture of a VM instance (a posture other than compliant/trusted/ok/healthy vetoes placement)',
    examples: [['Instance 7', 'mcpctl trust accelerators list 7']],
  });

  vm = Option.String({ name: 'vm-instance-id' });

  async run() {
    const page = await this.client().request<{ items: Record<string, unknown>[] }>('GET', `/api/trust/registry/${encodeURIComponent(this.vm)}/accelerators`);
    if (this.json) this.printJson(page);
    else this.print(this.table(page.items, ['accelerator_id', 'kind', 'posture', 'policy_feedback', 'updated_at']));
  }
}
