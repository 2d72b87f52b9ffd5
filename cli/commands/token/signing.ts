// What both token commands share: the signing secret (flag, env, secret file, development file) and iss/aud.
import { UsageError } from 'clipanion';
import { ConfigError } from '../../../core/config.ts';
import { devSecretPath, readSigningSecret } from '../../../http/jwt-secret.ts';
import type { TokenOptions } from '../../../http/tokens.ts';

type Env = Record<string, string | undefined>;

export function signingSecret(flag: string | undefined, env: Env): string {
  let secret: string | undefined;
  try {
    secret = flag ?? readSigningSecret(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.problems.join('; '));
    throw error;
  }
  if (secret === undefined) {
    throw new UsageError(`no signing secret: set JWT_SECRET or JWT_SECRET_FILE, or start the API once in development (it writes ${devSecretPath(env)})`);
  }
  if (secret.length < 16) throw new UsageError('the signing secret must be at least 16 characters');
  return secret;
}

/** The API checks iss/aud when JWT_ISSUER/JWT_AUDIENCE are set, so tokens minted in the same environment carry them. */
export function tokenOptions(expiresIn: string, env: Env): TokenOptions {
  return { expiresIn, ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}), ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {}) };
}
