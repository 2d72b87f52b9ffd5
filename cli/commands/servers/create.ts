// mcpctl servers create --name N --image I [...]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand, parseJsonOption } from '../../api-command.ts';
import { requiredFlag } from '../../flags.ts';

export class ServersCreateCommand extends ApiCommand {
  static override paths = [['servers', 'create']];
  static override usage = ApiCommand.Usage({
    description: 'Register an MCP server',
    examples: [['A server on a SEV guest', 'mcpctl servers create --name search --image ghcr.io/acme/search:1 --isolation-tier sev']],
  });

  name = requiredFlag('--name', { description: 'Server name (lowercase DNS label)' });
  image = requiredFlag('--image', { description: 'Container image reference' });
  description = Option.String('--description', { description: 'Free-text description' });
  isolationTier = Option.String('--isolation-tier', { description: 'none, sev, sev-snp or tdx' });
  memoryMib = Option.String('--memory-mib', { validator: t.isNumber(), description: 'Guest memory in MiB' });
  vcpuCount = Option.String('--vcpus', { validator: t.isNumber(), description: 'Guest vCPU count' });
  metadata = Option.String('--metadata', { description: 'JSON object' });

  async run() {
    const body = {
      name: this.name,
      image: this.image,
      ...(this.description === undefined ? {} : { description: this.description }),
      ...(this.isolationTier === undefined ? {} : { isolation_tier: this.isolationTier }),
      ...(this.memoryMib === undefined ? {} : { memory_mib: this.memoryMib }),
      ...(this.vcpuCount === undefined ? {} : { vcpu_count: this.vcpuCount }),
      ...(this.metadata === undefined ? {} : { metadata: parseJsonOption('--metadata', this.metadata) }),
    };
    const server = await this.client().request<Record<string, unknown>>('POST', '/api/servers', body);
    if (this.json) this.printJson(server);
    else this.print(this.record(server));
  }
}
