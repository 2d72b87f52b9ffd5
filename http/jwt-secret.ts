// Where the HS256 signing secret comes from: JWT_SECRET, a file named by JWT_SECRET_FILE, or (outside production)
// a random secret the first start writes to a 0600 file that `mcpctl token mint` reads. Never a built-in value.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILT_IN_DEVELOPMENT_SECRET, ConfigError, type Config } from '../core/config.ts';

type Env = Record<string, string | undefined>;
const set = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** $JWT_DEV_SECRET_FILE, else $XDG_STATE_HOME/mcp-runtime/jwt-secret, else ~/.local/state/mcp-runtime/jwt-secret. */
export function devSecretPath(env: Env): string {
  const explicit = set(env.JWT_DEV_SECRET_FILE);
  if (explicit) return explicit;
  const state = set(env.XDG_STATE_HOME) ?? join(set(env.HOME) ?? homedir(), '.local', 'state');
  return join(state, 'mcp-runtime', 'jwt-secret');
}

function readSecretFile(path: string, variable: string): string;
function readSecretFile(path: string, variable: string, missing: 'absent'): string | undefined;
function readSecretFile(path: string, variable: string, missing?: 'absent'): string | undefined {
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if (missing === 'absent' && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError([`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  if (secret.length < 16) throw new ConfigError([`${variable}: the secret in ${path} must be at least 16 characters`]);
  return secret;
}

function readOrCreateDevSecret(path: string): string {
  const existing = readSecretFile(path, 'JWT_DEV_SECRET_FILE', 'absent');
  if (existing !== undefined) return existing;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  // `wx`: two processes starting at once must not both write; the loser reads the winner's secret.
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readSecretFile(path, 'JWT_DEV_SECRET_FILE');
    throw new ConfigError([`JWT_DEV_SECRET_FILE: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  chmodSync(path, 0o600);
  return secret;
}

export interface ResolvedSecret {
  secret: string;
  source: 'JWT_SECRET' | 'JWT_SECRET_FILE' | 'development file';
  path?: string;
}

/** For the API: the configured secret, else (production aside) the development file, created on first use. */
export function resolveJwtSecret(config: Config, env: Env): ResolvedSecret {
  if (config.JWT_SECRET !== undefined) return { secret: config.JWT_SECRET, source: 'JWT_SECRET' };
  if (config.JWT_SECRET_FILE !== undefined) {
    const secret = readSecretFile(config.JWT_SECRET_FILE, 'JWT_SECRET_FILE');
    if (config.NODE_ENV === 'production' && secret === BUILT_IN_DEVELOPMENT_SECRET) {
      throw new ConfigError(['JWT_SECRET_FILE: holds the publicly known development secret; production needs its own']);
    }
    return { secret, source: 'JWT_SECRET_FILE', path: config.JWT_SECRET_FILE };
  }
  // parseConfig already refused production without a secret; this is development or test.
  const path = devSecretPath(env);
  return { secret: readOrCreateDevSecret(path), source: 'development file', path };
}

/** For `mcpctl token mint`: the same sources, read only (the CLI never creates the development file). */
export function readSigningSecret(env: Env): string | undefined {
  const direct = set(env.JWT_SECRET);
  if (direct) return direct;
  const file = set(env.JWT_SECRET_FILE);
  if (file) return readSecretFile(file, 'JWT_SECRET_FILE');
  return readSecretFile(devSecretPath(env), 'JWT_DEV_SECRET_FILE', 'absent');
}
