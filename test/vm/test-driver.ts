// libvirt's in-process test driver with private state: each call writes its own host XML (optionally demanding
// credentials) and returns the test:/// URI for it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../core/config.ts';

export interface TestDriver {
  uri: string;
  dir: string;
  config(env?: Record<string, string>): Config;
  cleanup(): Promise<void>;
}

export async function createTestDriver(auth?: { username: string; password: string }): Promise<TestDriver> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-test-driver-'));
  const path = join(dir, 'host.xml');
  const authXml = auth ? `<auth><user password="${auth.password}">${auth.username}</user></auth>` : '';
  await writeFile(path, `<node>${authXml}</node>\n`);
  const uri = `test://${path}`;
  return {
    uri,
    dir,
    config: (env = {}) =>
      parseConfig({
        VM_PROVISIONER_DRIVER: 'libvirt',
        LIBVIRT_CONNECTION_URI: uri,
        LIBVIRT_CONSOLE_LOG_DIR: join(dir, 'console'),
        LIBVIRT_SHUTDOWN_TIMEOUT_MS: '2000',
        ...env,
      }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
