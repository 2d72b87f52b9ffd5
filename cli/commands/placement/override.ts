// mcpctl placement override <server-id> --check C --reason R --ttl SECONDS: bypass one transient veto until expiry.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../api-command.ts';

export class PlacementOverrideCommand extends ApiCommand {
  static override paths = [['placement', 'override']];
  static override usage = ApiCommand.Usage({
    description: "Override one check's transient veto on a server until an expiry (a structural veto is refused)",
    examples: [['Let a degraded GPU through for an hour', 'mcpctl placement override 3 --check accelerator-posture --reason "vendor patch" --ttl 3600']],
  });

  serverId = Option.String({ name: 'server-id' });
  check = Option.String('--check', { required: true, description: 'trust-lifecycle|remediation-gate|freshness|accelerator-posture|tenant-policy' });
  reason = Option.String('--reason', { required: true, description: 'Why (recorded with your name)' });
  ttl = Option.String('--ttl', { required: true, validator: t.isNumber(), description: 'Seconds until the override expires' });

  async run() {
    const row = await this.client().request<Record<string, unknown>>('POST', `/api/servers/${encodeURIComponent(this.serverId)}/placement/overrides`, { check: this.check, reason: this.reason, ttl_seconds: this.ttl });
    if (this.json) this.printJson(row);
    else this.print(this.record(row, ['id', 'check', 'actor', 'reason', 'expires_at']));
  }
}
