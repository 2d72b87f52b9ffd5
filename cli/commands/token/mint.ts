// mcpctl token mint: sign a JWT with JWT_SECRET for local use (the secret never leaves this machine).
import { Command, Option, UsageError } from 'clipanion';
import { roles, type Role } from '../../../core/schemas/common.ts';
import { signToken } from '../../../http/tokens.ts';

export class TokenMintCommand extends Command {
  static override paths = [['token', 'mint']];
  static override usage = Command.Usage({
    description: 'Sign a bearer token with $JWT_SECRET (or --secret) for local use',
    examples: [
      ['An operator and approver of tenant acme', 'mcpctl token mint --owner acme --roles operator,approver'],
      ['Use it', 'export MCPCTL_TOKEN=$(mcpctl token mint --owner acme --roles admin)'],
    ],
  });

  owner = Option.String('--owner', { required: true, description: 'Tenant id (the owner claim)' });
  roles = Option.String('--roles', 'viewer', { description: `Comma-separated: ${roles.join(', ')}` });
  subject = Option.String('--sub', { description: 'Actor id (default: $USER or "operator")' });
  email = Option.String('--email');
  expiresIn = Option.String('--expires-in', '12h', { description: 'Lifetime, e.g. 30m, 12h, 7d' });
  secret = Option.String('--secret', { description: 'Signing secret (default: $JWT_SECRET, else the local development secret)' });

  async execute() {
    const wanted = this.roles.split(',').map((role) => role.trim()).filter(Boolean);
    const unknown = wanted.filter((role) => !(roles as readonly string[]).includes(role));
    if (unknown.length > 0) throw new UsageError(`unknown role(s) ${unknown.join(', ')}; choose from ${roles.join(', ')}`);
    const secret = this.secret ?? this.context.env.JWT_SECRET ?? 'mcp-runtime-local-development-secret';
    if (secret.length < 16) throw new UsageError('the signing secret must be at least 16 characters');
    const token = await signToken(
      secret,
      {
        sub: this.subject ?? this.context.env.USER ?? 'operator',
        owner: this.owner,
        roles: wanted as Role[],
        ...(this.email ? { email: this.email } : {}),
      },
      { expiresIn: this.expiresIn },
    );
    this.context.stdout.write(`${token}\n`);
  }
}
