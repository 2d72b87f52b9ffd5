import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// The Debian 12 package that provides each service command `.ci/run` calls; a fresh machine has none of them.
const providers: Record<string, string> = { 'pg_ctlcluster ': 'postgresql', 'redis-server ': 'redis-server', 'redis-cli ': 'redis-server' };

describe('.ci/run', () => {
  it('installs the packages whose commands it runs to start Postgres and Redis', async () => {
    const script = await readFile('.ci/run', 'utf8');
    const listed = /packages=\(([^)]*)\)/.exec(script)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    const missing = Object.entries(providers)
      .filter(([command]) => script.includes(command))
      .map(([, provider]) => provider)
      .filter((provider) => !listed.includes(provider));
    expect(missing).toEqual([]);
  });

  it('gives the postgres role a password when a stock cluster refuses password-less TCP logins', async () => {
    const script = await readFile('.ci/run', 'utf8');
    expect(script).toMatch(/ALTER ROLE postgres PASSWORD/);
    expect(script).toMatch(/export DATABASE_URL=postgres:\/\/postgres:[^@]+@127\.0\.0\.1:5432\/postgres/);
  });
});
