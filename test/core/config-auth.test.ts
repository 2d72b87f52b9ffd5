// The signing secret and listen defaults: production refuses a missing, empty or publicly known JWT_SECRET
// (exit 78 naming it); JWT_SECRET_FILE; a development start generates a 0600 secret file that mcpctl reads.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DEVELOPMENT_SECRET, ConfigError, parseConfig } from '../../core/config.ts';
import { resolveJwtSecret } from '../../http/jwt-secret.ts';
import { verifyToken } from '../../http/tokens.ts';
import { mcpctl } from '../support/cli.ts';
import { problemsFor } from '../support/config-problems.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'mcp-jwt-'));
const resolve = (env: Record<string, string>) => resolveJwtSecret(parseConfig(env), env);

describe('listen and secret defaults', () => {
  it('listens on loopback by default, and an empty variable counts as unset', () => {
    expect(parseConfig({}).HOST).toBe('127.0.0.1');
    const config = parseConfig({ HOST: '', JWT_SECRET: '' });
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.JWT_SECRET).toBeUndefined();
  });

  it.each([
    [{ NODE_ENV: 'production', JWT_SECRET: '' }, 'JWT_SECRET: is required when NODE_ENV=production (or set JWT_SECRET_FILE)'],
    [{ NODE_ENV: 'production', JWT_SECRET: BUILT_IN_DEVELOPMENT_SECRET }, 'JWT_SECRET: is the publicly known development secret; production needs its own'],
    [{ JWT_SECRET: 'x'.repeat(20), JWT_SECRET_FILE: '/run/secrets/jwt' }, 'JWT_SECRET: set either JWT_SECRET or JWT_SECRET_FILE, not both'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(20), REMEDIATION_LEASE_MS: '5999' }, 'REMEDIATION_LEASE_MS: must be at least 6000 when NODE_ENV=production'],
  ])('rejects %j', (env, message) => {
    expect(problemsFor(env)).toEqual([message]);
  });

  it.each([
    ['empty', ''],
    ['the built-in development value', BUILT_IN_DEVELOPMENT_SECRET],
  ])('stops a production start with exit 78 naming JWT_SECRET when it is %s', async (_name, value) => {
    const result = await execa(process.execPath, ['--import', 'tsx', 'main.ts'], { env: { NODE_ENV: 'production', JWT_SECRET: value }, reject: false });
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain('JWT_SECRET: ');
  });
});

describe('where the secret comes from', () => {
  it('reads JWT_SECRET_FILE, and names it when the file is missing or too short', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'jwt'), 'from-a-file-0123456789\n');
    await writeFile(join(dir, 'short'), 'short');
    expect(resolve({ JWT_SECRET_FILE: join(dir, 'jwt') })).toMatchObject({ secret: 'from-a-file-0123456789', source: 'JWT_SECRET_FILE' });
    expect(() => resolve({ JWT_SECRET_FILE: join(dir, 'absent') })).toThrow(ConfigError);
    expect(() => resolve({ JWT_SECRET_FILE: join(dir, 'short') })).toThrow(/JWT_SECRET_FILE: the secret in .* must be at least 16 characters/);
  });

  it('generates a development secret into a 0600 file once, and mcpctl token mint signs with it', async () => {
    const state = await tempDir();
    const first = resolve({ XDG_STATE_HOME: state });
    const path = join(state, 'mcp-runtime', 'jwt-secret');
    expect(first).toMatchObject({ source: 'development file', path });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(resolve({ XDG_STATE_HOME: state }).secret).toBe(first.secret);
    expect((await readFile(path, 'utf8')).trim()).toBe(first.secret);
    const minted = await mcpctl(undefined, ['token', 'mint', '--owner', 'acme', '--roles', 'viewer'], { env: { XDG_STATE_HOME: state } });
    expect(minted.exitCode).toBe(0);
    expect(await verifyToken(first.secret, minted.stdout.trim(), { maxLifetimeSeconds: 86_400 })).toMatchObject({ kind: 'tenant', claims: { owner: 'acme' } });
  });

  it('makes mcpctl say where the secret would be when there is none', async () => {
    const state = await tempDir();
    const minted = await mcpctl(undefined, ['token', 'mint', '--owner', 'acme'], { env: { XDG_STATE_HOME: state } });
    expect(minted.exitCode).not.toBe(0);
    expect(minted.stdout + minted.stderr).toContain(join(state, 'mcp-runtime', 'jwt-secret'));
  });

  it('mints platform administrator tokens that carry no owner or roles', async () => {
    const minted = await mcpctl(undefined, ['token', 'platform-admin', '--sub', 'ops'], { env: { JWT_SECRET: 'x'.repeat(20) } });
    const principal = await verifyToken('x'.repeat(20), minted.stdout.trim(), { maxLifetimeSeconds: 86_400 });
    expect(principal).toEqual({ kind: 'platform', claims: { sub: 'ops', platform: 'admin' } });
  });
});
