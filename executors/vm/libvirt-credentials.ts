// Libvirt credentials: the binding opens connections without a credential callback, so secrets reach libvirt
// through a private auth file (libvirt's own `authfile=` URI parameter). SIGHUP-driven reloads rewrite it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import type { CredentialSnapshot } from '../../sql/vm-instances.ts';

export interface CredentialSource {
  username?: string | undefined;
  password?: string | undefined;
  passwordFile?: string | undefined;
}

// Services that ask libvirt's auth layer: SASL on the remote driver, ssh/libssh transports, the test driver.
const services = ['libvirt', 'ssh', 'libssh', 'test'];

export function renderAuthFile(username: string | undefined, password: string | undefined): string {
  for (const [name, value] of [['username', username], ['password', password]] as const) {
    if (value !== undefined && /[\r\n]/.test(value)) {
      throw new AppError('libvirt-auth-failed', `the libvirt ${name} holds a line break, which libvirt's auth file cannot carry`);
    }
  }
  const lines = ['[credentials-mcp-runtime]'];
  if (username !== undefined) lines.push(`username=${username}`);
  if (password !== undefined) lines.push(`password=${password}`);
  for (const service of services) lines.push('', `[auth-${service}-default]`, 'credentials=mcp-runtime');
  return `${lines.join('\n')}\n`;
}

/** Append `authfile=<path>` to a libvirt URI, keeping any query it already has. */
export function withAuthFile(uri: string, path: string): string {
  if (!/^[\w./-]+$/.test(path)) throw new AppError('libvirt-error', `auth file path ${path} needs URI escaping; use a plain directory`);
  return `${uri}${uri.includes('?') ? '&' : '?'}authfile=${path}`;
}

export interface CredentialStore {
  /** The URI to open connections with: the configured one, plus the auth file when credentials are set. */
  connectionUri(): string;
  snapshot(): CredentialSnapshot;
  /** Re-read LIBVIRT_PASSWORD_FILE and rewrite the auth file; returns the new generation number. */
  reload(): Promise<number>;
  generation(): number;
  close(): Promise<void>;
}

export async function createCredentialStore(baseUri: string, source: CredentialSource): Promise<CredentialStore> {
  const supplied = source.username !== undefined || source.password !== undefined || source.passwordFile !== undefined;
  const dir = supplied ? await mkdtemp(join(tmpdir(), 'mcp-libvirt-auth-')) : undefined;
  let generation = 0;
  let uri = baseUri;
  let password = source.password;

  async function reload(): Promise<number> {
    if (dir === undefined) return generation;
    if (source.passwordFile !== undefined) {
      try {
        password = (await readFile(source.passwordFile, 'utf8')).replace(/\r?\n$/, '');
      } catch (error) {
        throw new AppError('libvirt-auth-failed', `cannot read LIBVIRT_PASSWORD_FILE ${source.passwordFile}`, { cause: error });
      }
    }
    const next = generation + 1;
    const path = join(dir, `auth-${next}.conf`);
    await writeFile(path, renderAuthFile(source.username, password), { mode: 0o600 });
    const previous = generation > 0 ? join(dir, `auth-${generation}.conf`) : undefined;
    generation = next;
    uri = withAuthFile(baseUri, path);
    // Connections already open have authenticated; the old file is no longer needed.
    if (previous !== undefined) await rm(previous, { force: true });
    return generation;
  }

  await reload();
  return {
    connectionUri: () => uri,
    snapshot: () => ({
      ...(source.username === undefined ? {} : { username: source.username }),
      password: password === undefined ? 'absent' : 'supplied',
    }),
    reload,
    generation: () => generation,
    async close() {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
