// Shared by the composition roots: read config once (an invalid value exits with code 78 and a clear message), and make the logger.
import pino from 'pino';
import { ConfigError, parseConfig, type Config } from './core/config.ts';
import { isAppError } from './core/errors.ts';
import { SandboxUnavailableError } from './executors/remediation/sandbox.ts';
import { resolveJwtSecret } from './http/jwt-secret.ts';
import { prettyDestination, wantsPretty } from './log-format.ts';

export const EXIT_CONFIG = 78; // EX_CONFIG from sysexits.h
export const EXIT_UNAVAILABLE = 69; // EX_UNAVAILABLE: a host requirement (the remediation sandbox, the libvirt binding) is missing

/**
 * `jwtSecret: true` (processes that serve the API) also resolves the signing secret, so JWT_SECRET is set after it;
 * workers and migrations leave the secret unread.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env, options: { jwtSecret?: boolean } = {}): Config {
  try {
    const config = parseConfig(env);
    if (!options.jwtSecret) return config;
    const resolved = resolveJwtSecret(config, env);
    if (resolved.source === 'development file') {
      process.stderr.write(`mcp-runtime: JWT_SECRET is not set; tokens are signed with the development secret in ${resolved.path} (mcpctl token mint reads it)\n`);
    }
    return { ...config, JWT_SECRET: resolved.secret };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`mcp-runtime: ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}

/**
 * A startup that fails because the host lacks something the workers need (the remediation sandbox, the libvirt
 * binding for VM_PROVISIONER_DRIVER=libvirt) exits 69 with its one-line message, not a stack trace.
 */
export function exitIfHostUnavailable(error: unknown): never {
  if (error instanceof SandboxUnavailableError) {
    process.stderr.write(`mcp-runtime: ${error.message}\n`);
    process.exit(EXIT_UNAVAILABLE);
  }
  if (isAppError(error) && error.code === 'libvirt-binding-missing') {
    process.stderr.write(`mcp-runtime: ${error.detail}\n`);
    process.exit(EXIT_UNAVAILABLE);
  }
  throw error;
}

// Any key with one of these names is censored wherever it appears (two levels deep) in a log line.
const SECRET_KEYS = ['password', 'passphrase', 'token', 'secret', 'authorization', 'cookie', 'access_token', 'api_key', 'apiKey', 'LIBVIRT_PASSWORD', 'JWT_SECRET'];

export const redactPaths = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.query.access_token',
];

export function createLogger(config: Pick<Config, 'LOG_LEVEL'> & Partial<Pick<Config, 'LOG_FORMAT' | 'NODE_ENV'>>, name: string, destination?: pino.DestinationStream): pino.Logger {
  const format = { LOG_FORMAT: config.LOG_FORMAT ?? 'json', NODE_ENV: config.NODE_ENV ?? 'production' };
  const stream = destination ?? (wantsPretty(format) ? prettyDestination() : undefined);
  return pino({ name, level: config.LOG_LEVEL, redact: { paths: redactPaths, censor: '[redacted]' } }, stream);
}
