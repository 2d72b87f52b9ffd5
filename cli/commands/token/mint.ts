// mcpctl token mint: sign a tenant JWT for local use with the platform's secret ($JWT_SECRET, $JWT_SECRET_FILE, or
// the development secret file the API created). It carries tenant roles only, never the platform claim.
import { Command, Option, UsageError } from 'clipanion';
import { roles, type Role } from '../../../core/schemas/common.ts';
import { signToken } from '../../../http/tokens.ts';
import { signingSecret, tokenOptions } from './signing.ts';
import { requiredFlag } from '../../flags.ts';

export class TokenMintCommand extends Command {
  static override paths = [['token', 'mint']];
  static override usage = Command.Usage({
    description: 'Sign a tenant bearer token with the platform secret (or --secret) for local use',
    details: 'The secret is $JWT_SECRET, else the file $JWT_SECRET_FILE names, else the development secret file the API writes on its first start without JWT_SECRET. Platform administrator tokens come from `mcpctl token platform-admin`.',
    examples: [
      ['An operator and approver of tenant acme', 'mcpctl token mint --owner acme --roles operator,approver'],
      ['The attestation verifier service of tenant acme', 'mcpctl token mint --owner acme --roles verifier --sub snp-verifier'],
      ['Use it', 'export MCPCTL_TOKEN=$(mcpctl token mint --owner acme --roles operator)'],
    ],
  });

  owner = requiredFlag('--owner', { description: 'Tenant id (the owner claim)' });
  roles = Option.String('--roles', 'viewer', { description: `Comma-separated: ${roles.join(', ')}` });
  subject = Option.String('--sub', { description: 'Actor id (default: $USER or "operator")' });
  email = Option.String('--email', { description: 'Email claim (shown in logs and audit rows)' });
  expiresIn = Option.String('--expires-in', '12h', { description: 'Lifetime, e.g. 30m, 12h (at most the API\'s JWT_MAX_LIFETIME_SECONDS)' });
  secret = Option.String('--secret', { description: 'Signing secret (default: $JWT_SECRET, $JWT_SECRET_FILE, else the development secret file)' });

  async execute() {
    const wanted = this.roles.split(',').map((role) => role.trim()).filter(Boolean);
    const unknown = wanted.filter((role) => !(roles as readonly string[]).includes(role));
    if (unknown.length > 0) throw new UsageError(`unknown role(s) ${unknown.join(', ')}; choose from ${roles.join(', ')}`);
    const claims = { sub: this.subject ?? this.context.env.USER ?? 'operator', owner: this.owner, roles: wanted as Role[], ...(this.email ? { email: this.email } : {}) };
    const token = await signToken(signingSecret(this.secret, this.context.env), claims, tokenOptions(this.expiresIn, this.context.env));
    this.context.stdout.write(`${token}\n`);
  }
}
