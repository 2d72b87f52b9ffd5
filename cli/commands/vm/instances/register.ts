// mcpctl vm instances register <server-id> --domain-name N [...]: register a VM instance for a server, which
// opens its trust registry entry (lifecycle pending).
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand, parseJsonOption } from '../../../api-command.ts';
import { requiredFlag } from '../../../flags.ts';

interface Registered {
  instance: Record<string, unknown>;
  registry: Record<string, unknown>;
}

export class VmInstancesRegisterCommand extends ApiCommand {
  static override paths = [['vm', 'instances', 'register']];
  static override usage = ApiCommand.Usage({
    description: 'Register a VM instance for a server; its trust registry entry starts pending',
    examples: [['A 1 GiB SEV guest of server 3', 'mcpctl vm instances register 3 --domain-name search-vm-1 --memory-mib 1024 --isolation-tier sev']],
  });

  serverId = Option.String({ name: 'server-id' });
  domainName = requiredFlag('--domain-name', { placeholder: 'name', description: 'Hypervisor domain name (letters, digits, dot, dash, underscore)' });
  driver = Option.String('--driver', { description: 'http (default) or libvirt' });
  memoryMib = Option.String('--memory-mib', { validator: t.isNumber(), description: 'Guest memory in MiB (default 512)' });
  vcpuCount = Option.String('--vcpus', { validator: t.isNumber(), description: 'Guest vCPU count (default 1)' });
  isolationTier = Option.String('--isolation-tier', { description: 'none (default), sev, sev-snp or tdx' });
  metadata = Option.String('--metadata', { description: 'JSON object' });

  async run() {
    const optional: Record<string, unknown> = {
      driver: this.driver,
      memory_mib: this.memoryMib,
      vcpu_count: this.vcpuCount,
      isolation_tier: this.isolationTier,
      metadata: parseJsonOption('--metadata', this.metadata),
    };
    const body = { domain_name: this.domainName, ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) };
    const registered = await this.client().request<Registered>('POST', `/api/servers/${encodeURIComponent(this.serverId)}/vm-instances`, body);
    if (this.json) return this.printJson(registered);
    const { instance, registry } = registered;
    this.print(this.record({ ...instance, lifecycle_state: registry.lifecycle_state, attestation_status: registry.attestation_status }));
  }
}
