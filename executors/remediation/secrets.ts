// Resolves a playbook's secret reference to its value at execution time, from REMEDIATION_SECRETS_FILE
// (a JSON object, re-read on every call so rotation needs no restart) or REMEDIATION_SECRET_<NAME> variables.
import { readFile } from 'node:fs/promises';

export type SecretResolver = (ref: string) => Promise<string | undefined>;

export const secretEnvName = (ref: string) => `REMEDIATION_SECRET_${ref.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export function createSecretResolver(options: { file?: string | undefined; env: Record<string, string | undefined> }): SecretResolver {
  return async (ref) => {
    if (options.file !== undefined) {
      const document = JSON.parse(await readFile(options.file, 'utf8')) as Record<string, unknown>;
      const value = document[ref];
      if (typeof value === 'string' && value !== '') return value;
    }
    const fromEnv = options.env[secretEnvName(ref)];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
}
