// Resolves a playbook's secret reference to its value at execution time, within the run's owner only:
// REMEDIATION_SECRETS_FILE holds `{ "<owner_id>": { "<ref>": "<value>" } }` (re-read on every call, so rotation
// needs no restart) and REMEDIATION_SECRET_<owner>__<ref> variables hold single values (see secretEnvName).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** The value of `ref` for `ownerId`, or undefined when that owner has no such secret (another owner's ref included). */
export type SecretResolver = (ownerId: string, ref: string) => Promise<string | undefined>;

/** The store exists but cannot be used; the message is fixed, so no part of the file ever reaches a log. */
export class SecretStoreUnreadable extends Error {
  override name = 'SecretStoreUnreadable';
}

const secretsDocument = z.record(z.string(), z.record(z.string(), z.string()));

// Letters and digits stay; every other byte becomes `_XX` (hex). `_` is always followed by two hex digits, so `__`
// cannot occur inside an encoded part and separates owner from ref: two (owner, ref) pairs never share a name.
const encodePart = (part: string) =>
  [...Buffer.from(part, 'utf8')].map((byte) => (/[A-Za-z0-9]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** `REMEDIATION_SECRET_acme__cloud_2Dtoken` for owner `acme`, ref `cloud-token` (case is kept: names are case-sensitive). */
export const secretEnvName = (ownerId: string, ref: string) => `REMEDIATION_SECRET_${encodePart(ownerId)}__${encodePart(ref)}`;

async function readDocument(file: string): Promise<z.infer<typeof secretsDocument>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SecretStoreUnreadable(`REMEDIATION_SECRETS_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  // JSON.parse quotes the text around a syntax error: the cause stays out of the message, which is what gets logged.
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretStoreUnreadable('REMEDIATION_SECRETS_FILE is not valid JSON');
  }
  const document = secretsDocument.safeParse(parsed);
  if (!document.success) throw new SecretStoreUnreadable('REMEDIATION_SECRETS_FILE must be { "<owner_id>": { "<ref>": "<value>" } }');
  return document.data;
}

export function createSecretResolver(options: { file?: string | undefined; env: Record<string, string | undefined> }): SecretResolver {
  return async (ownerId, ref) => {
    if (options.file !== undefined) {
      const document = await readDocument(options.file);
      // Own keys only: an owner or ref named `__proto__` or `toString` must not resolve to something inherited.
      const scoped = Object.hasOwn(document, ownerId) ? document[ownerId] : undefined;
      const value = scoped !== undefined && Object.hasOwn(scoped, ref) ? scoped[ref] : undefined;
      if (typeof value === 'string' && value !== '') return value;
    }
    const fromEnv = options.env[secretEnvName(ownerId, ref)];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
}
