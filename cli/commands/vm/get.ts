// mcpctl vm get <server-id>
import { Option } from 'clipanion';
import { ApiCommand } from '../../api-command.ts';

interface VmView {
  server_id: number;
  server_status: string;
  placement_notes: string[];
  instance: Record<string, unknown> | null;
  trust: (Record<string, unknown> & { lifecycle_badge: { label: string; tone: string } }) | null;
}

export class VmGetCommand extends ApiCommand {
  static override paths = [['vm', 'get']];
  static override usage = ApiCommand.Usage({
    description: "Show a server's VM: instance, lifecycle badge, remediation attempts, freshness deadline, provenance, placement notes",
    examples: [['Show the VM of server 3', 'mcpctl vm get 3']],
  });

  id = Option.String({ name: 'server-id' });

  async run() {
    const view = await this.client().request<VmView>('GET', `/api/servers/${encodeURIComponent(this.id)}/vm`);
    if (this.json) return this.printJson(view);
    this.print(
      this.record({
        server: view.server_id,
        status: view.server_status,
        domain: view.instance?.domain_name,
        driver: view.instance?.driver,
        instance_status: view.instance?.status,
        sizing: view.instance ? `${String(view.instance.memory_mib)} MiB / ${String(view.instance.vcpu_count)} vCPU / ${String(view.instance.isolation_tier)}` : null,
        lifecycle: view.trust ? `${view.trust.lifecycle_badge.label} (${view.trust.lifecycle_badge.tone})` : null,
        remediation_attempts: view.trust?.remediation_attempts,
        freshness_deadline: view.trust ? `${String(view.trust.freshness_deadline)}${view.trust.stale ? ' (stale)' : ''}` : null,
        provenance: view.trust?.provenance,
        placement_notes: view.placement_notes.join(' '),
      }),
    );
  }
}
