import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// The Debian 12 package that provides each service command the prerequisites script calls; a fresh machine has none.
const providers: Record<string, string> = { 'pg_ctlcluster ': 'postgresql', 'redis-server ': 'redis-server', 'redis-cli ': 'redis-server', 'runuser ': 'util-linux' };

/** The README's test command: the second line of the Quickstart's two commands. */
async function readmeTestCommand(): Promise<string | undefined> {
  const readme = await readFile('README.md', 'utf8');
  const block = /## Quickstart[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean)[1];
}

describe('.ci/run and .ci/prerequisites.sh', () => {
  it('runs exactly the README test command, which starts with the prerequisites script', async () => {
    const command = await readmeTestCommand();
    const script = (await readFile('.ci/run', 'utf8')).trim().split('\n');
    expect(command).toMatch(/^bash \.ci\/prerequisites\.sh && /);
    expect(script.at(-1)).toBe(command);
  });

  it('installs the packages whose commands it runs to start Postgres and Redis', async () => {
    const script = await readFile('.ci/prerequisites.sh', 'utf8');
    const listed = /packages=\(([^)]*)\)/.exec(script)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    const missing = Object.entries(providers)
      .filter(([command]) => script.includes(command))
      .map(([, provider]) => provider)
      .filter((provider) => !listed.includes(provider));
    expect(missing).toEqual([]);
  });

  it('gives the postgres role the password the tests log in with when a stock cluster refuses password-less TCP logins', async () => {
    const [script, env] = await Promise.all([readFile('.ci/prerequisites.sh', 'utf8'), readFile('test/support/env.ts', 'utf8')]);
    const password = /ALTER ROLE postgres PASSWORD '([^']+)'/.exec(script)?.[1];
    expect(env).toContain(`postgres://postgres:${password}@127.0.0.1:5432/postgres`);
  });
});
