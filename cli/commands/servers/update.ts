// mcpctl servers update <id> --version V [...]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand, parseJsonOption } from '../../api-command.ts';
import { readVersionFlag } from '../../flags.ts';

export class ServersUpdateCommand extends ApiCommand {
  static override paths = [['servers', 'update']];
  static override usage = ApiCommand.Usage({
    description: 'Change a server; --version is the version you read (a stale one is refused with 409)',
    examples: [['Rename server 3 at version 2', 'mcpctl servers update 3 --version 2 --name search-v2']],
  });

  id = Option.String({ name: 'id' });
  version = readVersionFlag();
  name = Option.String('--name', { description: 'New name (lowercase DNS label)' });
  image = Option.String('--image', { description: 'New container image reference' });
  description = Option.String('--description', { description: 'New free-text description' });
  isolationTier = Option.String('--isolation-tier', { description: 'none, sev, sev-snp or tdx' });
  memoryMib = Option.String('--memory-mib', { validator: t.isNumber(), description: 'Guest memory in MiB' });
  vcpuCount = Option.String('--vcpus', { validator: t.isNumber(), description: 'Guest vCPU count' });
  metadata = Option.String('--metadata', { description: 'JSON object' });

  async run() {
    const changes: Record<string, unknown> = {
      version: this.version,
      name: this.name,
      image: this.image,
      description: this.description,
      isolation_tier: this.isolationTier,
      memory_mib: this.memoryMib,
      vcpu_count: this.vcpuCount,
      metadata: parseJsonOption('--metadata', this.metadata),
    };
    const body = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const server = await this.client().request<Record<string, unknown>>('PATCH', `/api/servers/${encodeURIComponent(this.id)}`, body);
    if (this.json) this.printJson(server);
    else this.print(this.record(server));
  }
}
