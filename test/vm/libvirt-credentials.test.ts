import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLibvirtBinding } from '../../executors/vm/libvirt-binding.ts';
import { createCredentialStore, type CredentialSource } from '../../executors/vm/libvirt-credentials.ts';
import { createLibvirtProvisioner } from '../../executors/vm/libvirt-provisioner.ts';
import { reloadOnSighup } from '../../executors/vm/create-provisioner.ts';
import { createTestDriver } from './test-driver.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A test driver that demands ops/`password`, and a provisioner connecting with `source`. */
async function setup(source: (dir: string) => CredentialSource, before?: (dir: string) => Promise<void>) {
  const driver = await createTestDriver({ username: 'ops', password: 'correct-horse' });
  await before?.(driver.dir);
  const config = driver.config();
  const credentials = await createCredentialStore(config.LIBVIRT_CONNECTION_URI, source(driver.dir));
  const provisioner = createLibvirtProvisioner(await loadLibvirtBinding(), config, credentials);
  cleanups.push(driver.cleanup, provisioner.close);
  return { driver, provisioner, credentials };
}

describe('libvirt credentials', () => {
  it('connects when the test driver demands credentials and they are right', async () => {
    const { provisioner } = await setup(() => ({ username: 'ops', password: 'correct-horse' }));
    expect(await provisioner.state('mcp-none')).toBe('missing');
    expect(provisioner.credentialSnapshot()).toEqual({ username: 'ops', password: 'supplied' });
  });

  it('fails with a clear auth error for a wrong password', async () => {
    const { provisioner } = await setup(() => ({ username: 'ops', password: 'battery-staple' }));
    await expect(provisioner.state('mcp-none')).rejects.toMatchObject({
      code: 'libvirt-auth-failed',
      detail: expect.stringMatching(/authentication failed/),
    });
  });

  it('fails with a clear auth error when no credentials are supplied', async () => {
    const { provisioner } = await setup(() => ({}));
    await expect(provisioner.state('mcp-none')).rejects.toMatchObject({ code: 'libvirt-auth-failed' });
    expect(provisioner.credentialSnapshot()).toEqual({ password: 'absent' });
  });

  it('keeps the secret out of the connection URI', async () => {
    const { credentials } = await setup(() => ({ username: 'ops', password: 'correct-horse' }));
    expect(credentials.connectionUri()).not.toContain('correct-horse');
    expect(credentials.connectionUri()).toMatch(/\?authfile=\/.+auth-1\.conf$/);
  });

  it('keeps the auth file private (0600 in a 0700 directory), one file at a time, and removes it on close', async () => {
    const { credentials, provisioner } = await setup(() => ({ username: 'ops', password: 'correct-horse' }));
    const authFile = () => new URL(credentials.connectionUri().replace(/^test:\/\//, 'file://')).searchParams.get('authfile') ?? '';
    const dir = dirname(authFile());
    expect((await stat(authFile())).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await credentials.reload();
    expect(await readdir(dir)).toEqual(['auth-2.conf']);
    expect((await stat(authFile())).mode & 0o777).toBe(0o600);
    await provisioner.close();
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('picks up a rotated password file on SIGHUP without a restart', async () => {
    const writePassword = (dir: string, value: string) => writeFile(join(dir, 'password'), `${value}\n`, { mode: 0o600 });
    const { driver, provisioner, credentials } = await setup(
      (dir) => ({ username: 'ops', passwordFile: join(dir, 'password') }),
      (dir) => writePassword(dir, 'old-secret'),
    );
    await expect(provisioner.state('mcp-none')).rejects.toMatchObject({ code: 'libvirt-auth-failed' });

    await writePassword(driver.dir, 'correct-horse');
    const reloaded = new Promise<unknown>((resolve) => cleanups.push(reloadOnSighup(provisioner, resolve)));
    process.kill(process.pid, 'SIGHUP');
    expect(await reloaded).toBeUndefined();

    expect(credentials.generation()).toBe(2);
    expect(await provisioner.state('mcp-none')).toBe('missing');
    const authFile = new URL(credentials.connectionUri().replace(/^test:\/\//, 'file://')).searchParams.get('authfile') ?? '';
    expect(await readFile(authFile, 'utf8')).toContain('password=correct-horse');
  });
});
