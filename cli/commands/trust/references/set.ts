// mcpctl trust references set <server-id> --measurement reg=hex… [--version V]: register or replace a server's
// reference measurements (tenant admin role). Replacing needs the version you read (stale → 409).
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../../api-command.ts';
import { parseMeasurements } from '../../../measurements.ts';
import { referencesPath } from './path.ts';

export class TrustReferencesSetCommand extends ApiCommand {
  static override paths = [['trust', 'references', 'set']];
  static override usage = ApiCommand.Usage({
    description: "Register or replace a server's reference measurements (needs the tenant admin role; replacing needs --version)",
    details: 'The built-in verifier compares submitted evidence against these registers: equal → trusted, different → untrusted, none registered → unknown. Every change is kept in `mcpctl trust references history`.',
    examples: [
      ['First registration for server 3', 'mcpctl trust references set 3 --measurement pcr0=aa11 --measurement pcr1=bb22'],
      ['Replace them, read at version 1', 'mcpctl trust references set 3 --measurement pcr0=cc33 --version 1'],
    ],
  });

  serverId = Option.String({ name: 'server-id' });
  measurements = Option.Array('--measurement', [], { description: 'register=hexdigest (repeatable; the whole set is replaced)' });
  version = Option.String('--version', { validator: t.isNumber(), description: 'The version you read; required to replace existing references (stale → 409)' });

  async run() {
    const body = { measurements: parseMeasurements(this.measurements), ...(this.version === undefined ? {} : { version: this.version }) };
    const references = await this.client().request<Record<string, unknown>>('PUT', referencesPath(this.serverId), body);
    if (this.json) this.printJson(references);
    else this.print(this.record(references));
  }
}
