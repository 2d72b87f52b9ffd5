// mcpctl trust accelerators set <vm-instance-id> <accelerator-id> --kind K --posture P [--feedback F]…
import { Option } from 'clipanion';
import { ApiCommand, parseJsonOption } from '../../../api-command.ts';

export class TrustAcceleratorsSetCommand extends ApiCommand {
  static override paths = [['trust', 'accelerators', 'set']];
  static override usage = ApiCommand.Usage({
    description: "Record one accelerator's posture on a VM instance (insert or replace)",
    examples: [['A degraded GPU', 'mcpctl trust accelerators set 7 gpu-0 --kind nvidia-h100 --posture degraded --feedback ecc-errors']],
  });

  vm = Option.String({ name: 'vm-instance-id' });
  acceleratorId = Option.String({ name: 'accelerator-id' });
  kind = Option.String('--kind', { required: true, description: 'Hardware kind, e.g. nvidia-h100' });
  posture = Option.String('--posture', { required: true, description: 'compliant|trusted|ok|healthy clear placement; anything else vetoes it' });
  feedback = Option.Array('--feedback', [], { description: 'A policy feedback signal (repeatable)' });
  metadata = Option.String('--metadata', { description: 'Opaque JSON object' });

  async run() {
    const body = { accelerator_id: this.acceleratorId, kind: this.kind, posture: this.posture, policy_feedback: this.feedback, ...(this.metadata === undefined ? {} : { metadata: parseJsonOption('--metadata', this.metadata) }) };
    const row = await this.client().request<Record<string, unknown>>('PUT', `/api/trust/registry/${encodeURIComponent(this.vm)}/accelerators`, body);
    if (this.json) this.printJson(row);
    else this.print(this.record(row, ['vm_instance_id', 'accelerator_id', 'kind', 'posture', 'policy_feedback', 'updated_at']));
  }
}
