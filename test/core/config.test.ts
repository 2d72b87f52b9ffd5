import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { problemsFor } from '../support/config-problems.ts';

describe('config', () => {
  it('needs no variables on a fresh machine', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ PORT: 8080, REDIS_URL: 'redis://127.0.0.1:6379', VM_PROVISIONER_DRIVER: 'http', LIBVIRT_LOG_TAIL: 200 });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: must be a whole number'],
    [{ PORT: '70000' }, 'PORT: must be at most 65535'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL: must be a postgres:// URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL: must be a redis:// URL or the absolute path of a unix socket'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET: must be at least 16 characters'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ QUEUE_PREFIX: 'a:b' }, 'QUEUE_PREFIX: may hold only letters, digits, _ and -'],
    [{ LIBVIRT_DEFAULT_VCPU_COUNT: '0' }, 'LIBVIRT_DEFAULT_VCPU_COUNT: must be at least 1'],
    [{ LIBVIRT_NETWORK_TEMPLATE: '{"model":"virtio","colour":"red"}' }, 'LIBVIRT_NETWORK_TEMPLATE: has unknown field(s) colour'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET: is required when NODE_ENV=production (or set JWT_SECRET_FILE)'],
  ])('rejects %j with "%s"', (env, message) => {
    expect(problemsFor(env)).toContain(message);
  });

  it('takes a unix socket path for REDIS_URL (a private redis-server without a TCP port)', () => {
    expect(parseConfig({ REDIS_URL: '/run/mcp/redis.sock' }).REDIS_URL).toBe('/run/mcp/redis.sock');
  });

  it('reports every bad variable at once', () => {
    expect(problemsFor({ PORT: 'x', VM_PROVISIONER_DRIVER: 'xen' })).toHaveLength(2);
  });

  it('stops the process with a non-zero exit and names the variable', async () => {
    const result = await execa(process.execPath, ['--import', 'tsx', 'main.ts'], {
      env: { LIBVIRT_VOLUME_TEMPLATE: '{"path":"/v.img","bus":"ide"}' },
      reject: false,
    });
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain('LIBVIRT_VOLUME_TEMPLATE: bus must be one of virtio, sata, scsi');
  });
});
