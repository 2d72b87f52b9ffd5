// mcpctl vm instances get <vm_instance_id>: the API has no instance read route, so this joins the instance's
// trust registry entry with its server's VM view (GET /api/servers/:id/vm), which shows the server's latest
// instance; an older instance of the server shows its registry entry only.
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';

interface VmView {
  instance: Record<string, unknown> | null;
}

export class VmInstancesGetCommand extends ApiCommand {
  static override paths = [['vm', 'instances', 'get']];
  static override usage = ApiCommand.Usage({
    description: "Show one VM instance: domain, driver, sizing and status (for its server's latest instance) with its trust posture",
    examples: [['Instance 7', 'mcpctl vm instances get 7']],
  });

  vmInstanceId = Option.String({ name: 'vm_instance_id' });

  async run() {
    const client = this.client();
    const registry = await client.request<Record<string, unknown>>('GET', `/api/trust/registry/${encodeURIComponent(this.vmInstanceId)}`);
    const view = await client.request<VmView>('GET', `/api/servers/${String(registry.server_id)}/vm`);
    const instance = view.instance !== null && String(view.instance.id) === String(registry.vm_instance_id) ? view.instance : null;
    const shown = { instance, registry };
    if (this.json) return this.printJson(shown);
    this.print(
      this.record({
        id: registry.vm_instance_id,
        server_id: registry.server_id,
        domain_name: instance?.domain_name,
        driver: instance?.driver,
        status: instance?.status ?? '(not the server\'s latest instance)',
        sizing: instance ? `${String(instance.memory_mib)} MiB / ${String(instance.vcpu_count)} vCPU / ${String(instance.isolation_tier)}` : null,
        lifecycle_state: registry.lifecycle_state,
        attestation_status: registry.attestation_status,
        remediation_state: registry.remediation_state,
        freshness_deadline: registry.freshness_deadline,
        stale: registry.stale,
        registry_version: registry.version,
      }),
    );
  }
}
