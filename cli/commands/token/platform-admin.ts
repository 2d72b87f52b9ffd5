// mcpctl token platform-admin: sign a platform administrator's token (Bull Board). It has the platform claim and
// no owner or roles, so no tenant route accepts it; only whoever holds the platform's signing secret can run this.
import { Command, Option } from 'clipanion';
import { signPlatformToken } from '../../../http/tokens.ts';
import { signingSecret, tokenOptions } from './signing.ts';
import { requiredFlag } from '../../flags.ts';

export class TokenPlatformAdminCommand extends Command {
  static override paths = [['token', 'platform-admin']];
  static override usage = Command.Usage({
    description: 'Sign a platform administrator token (admitted to Bull Board only, refused by every tenant route)',
    examples: [['Open Bull Board', 'xdg-open "http://127.0.0.1:8080/admin/queues?access_token=$(mcpctl token platform-admin --sub ops-alice --expires-in 1h)"']],
  });

  subject = requiredFlag('--sub', { description: 'The administrator (the sub claim, shown in logs)' });
  email = Option.String('--email', { description: 'Email claim (shown in logs)' });
  expiresIn = Option.String('--expires-in', '1h', { description: 'Lifetime, e.g. 30m, 1h (keep it short)' });
  secret = Option.String('--secret', { description: 'Signing secret (default: $JWT_SECRET, $JWT_SECRET_FILE, else the development secret file)' });

  async execute() {
    const claims = { sub: this.subject, ...(this.email ? { email: this.email } : {}) };
    const token = await signPlatformToken(signingSecret(this.secret, this.context.env), claims, tokenOptions(this.expiresIn, this.context.env));
    this.context.stdout.write(`${token}\n`);
  }
}
