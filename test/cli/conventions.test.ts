// mcpctl's conventions, table-driven over the commands the Cli itself registers (so a new command is covered
// without editing this file): every command's --help describes every flag; usage errors go to stderr with
// exit 2 naming what is wrong; noun and help commands list verbs; colour only on a TTY without NO_COLOR;
// `--wait --timeout` gives up with a clear message; a watch says once that it is reconnecting.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, tenantAdmin, verifier, type TestPlatform } from '../support/platform.ts';
import { until } from '../trust/sse-client.ts';
import { startProxy } from '../support/proxy.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['sse-fanout'] });
});
afterAll(() => platform.close());

interface Definition {
  path: string;
  usage: string;
  description?: string;
  options: { definition: string; description: string }[];
}

// The commands as the binary's own clipanion Cli defines them (`--clipanion=definitions`), not a hand list.
const definitions: Definition[] = JSON.parse((await mcpctl(undefined, ['--clipanion=definitions'])).stdout);
const pathOf = (definition: Definition) => definition.path.split(' ').slice(1);
/** Run `each` over `items` four at a time: the binary is spawned once per item, on a machine shared with other tests. */
async function inBatches<T, R>(items: T[], each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += 4) results.push(...(await Promise.all(items.slice(start, start + 4).map(each))));
  return results;
}
const nounsOf = (paths: string[][]) => [...new Set(paths.flatMap((path) => path.slice(0, -1).map((_, index) => path.slice(0, index + 1).join(' '))))];

describe('every command', () => {
  it('is enumerated from the binary, new commands included', () => {
    expect(definitions.map((definition) => definition.path)).toEqual(expect.arrayContaining(['mcpctl vm instances register', 'mcpctl trust references set', 'mcpctl trust attestations get']));
  });

  it.each(definitions.map((definition) => [definition.path, definition] as const))('%s has a description, names its placeholders, and its --help describes every flag', { timeout: 60_000 }, async (path, definition) => {
    expect(definition.description?.trim()).toBeTruthy();
    expect(definition.usage, 'an undescribed flag stays inline in the usage line').not.toMatch(/--[a-z]/);
    const help = await mcpctl(undefined, [...pathOf(definition), '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).not.toContain('#0');
    const flags = [...help.stdout.matchAll(/^ {2}(--[a-z-]+)(?: <[a-z-]+>)? {2,}(\S.*)$/gm)].map((match) => match[1]);
    expect(flags).toEqual(definition.options.map((option) => option.definition.split(' ')[0]));
    for (const option of definition.options) expect(option.description.trim(), `${path} ${option.definition}`).toBeTruthy();
  });

  it('mcpctl <noun> lists the verbs under it, and mcpctl help <noun> says the same', { timeout: 120_000 }, async () => {
    const paths = definitions.map(pathOf);
    const nouns = nounsOf(paths);
    expect(nouns).toEqual(expect.arrayContaining(['servers', 'trust', 'trust references', 'vm instances']));
    const listed = await inBatches(nouns, (noun) => mcpctl(undefined, noun.split(' ')));
    nouns.forEach((noun, index) => {
      expect(listed[index]!.exitCode, noun).toBe(0);
      for (const path of paths.filter((candidate) => candidate.join(' ').startsWith(`${noun} `))) expect(listed[index]!.stdout).toContain(`mcpctl ${path.join(' ')}`);
    });
    expect((await mcpctl(undefined, ['help', 'trust'])).stdout).toBe(listed[nouns.indexOf('trust')]!.stdout);
  });
});

describe('usage errors, through the real binary', () => {
  it.each([
    [['remediation', 'runs', 'approve', '1'], /^Usage Error: missing required option --version\n\n\$ mcpctl remediation runs approve .*--version <version>/],
    [['servers', 'create', '--name', 'x'], /^Usage Error: missing required option --image/],
    [['servers', 'update', '1', '--version', 'two'], /^Usage Error: Invalid value for --version: expected a number/],
    [['servers', 'get'], /^Unknown Syntax Error: Not enough positional arguments\.\n\n\$ mcpctl servers get .*<id>/],
    [['servers', 'launch'], /^Unknown Syntax Error: Extraneous positional argument \("launch"\)\.\n\n\$ mcpctl servers/],
    [['frobnicate'], /^Unknown Syntax Error: no command matches `mcpctl frobnicate`; `mcpctl help` lists the commands/],
    [['servers', 'create', '--name', 'x', '--image', 'y', '--metadata', '{'], /^Usage Error: --metadata must be JSON/],
    [['trust', 'references', 'set', '3', '--measurement', 'pcr0'], /^Usage Error: --measurement pcr0 must look like register=hexdigest/],
  ])('mcpctl %j exits 2 with the reason on stderr', async (argv, message) => {
    const result = await mcpctl(undefined, argv, { env: { MCPCTL_API_URL: 'http://127.0.0.1:1' } });
    expect(result).toMatchObject({ exitCode: 2, stdout: '' });
    expect(result.stderr).toMatch(message);
  });

  it('answers mcpctl help servers list with that command\'s help, uncoloured when piped', async () => {
    const result = await mcpctl(undefined, ['help', 'servers', 'list']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^List your MCP servers\n/);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('colours help on a terminal, unless NO_COLOR is set', async () => {
    const onTty = (env: Record<string, string>) =>
      execa('script', ['-qec', `${process.execPath} bin/mcpctl.js servers list --help`, '/dev/null'], { env: { PATH: process.env.PATH ?? '', TERM: 'xterm', ...env }, extendEnv: false });
    expect((await onTty({})).stdout).toContain('\u001b[1m');
    expect((await onTty({ NO_COLOR: '1' })).stdout).not.toContain('\u001b[');
  });
});

describe('waiting and watching', () => {
  it('--wait --timeout 2 gives up after about 2 s when no worker takes the job, and says why', async () => {
    const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'waits', image: 'img:1' } })).json();
    await platform.api(`/api/servers/${server.id}/reference-measurements`, { method: 'PUT', json: { measurements: { pcr0: 'aa11' } }, as: tenantAdmin() });
    const { instance } = await (await platform.api(`/api/servers/${server.id}/vm-instances`, { method: 'POST', json: { domain_name: 'waits-1' } })).json();
    const started = Date.now();
    const result = await mcpctl(platform, ['trust', 'attest', String(instance.id), '--measurement', 'pcr0=aa11', '--wait', '--timeout', '2'], { as: verifier() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(result.exitCode).toBe(124);
    expect(result.stderr).toMatch(/^waiting for attestation job attest-[0-9a-f]{64}: waiting\n/);
    expect(result.stderr).toMatch(/wait-timeout: attestation job attest-[0-9a-f]{64} is still waiting after 2s; no attestation-ingest worker has taken it/);
    const jobId = /attest-[0-9a-f]{64}/.exec(result.stderr)![0];
    const again = await mcpctl(platform, ['trust', 'attestations', 'get', jobId, '--wait', '--timeout', '1']);
    expect(again.exitCode).toBe(124);
    const launch = await mcpctl(platform, ['vm', 'launch', String(server.id), '--wait', '--timeout', '1']);
    expect(launch.exitCode).toBe(124);
    expect(launch.stderr).toMatch(new RegExp(`wait-timeout: launch of server ${server.id} is still launch-requested after 1s; no vm-launch worker has taken the job`));
  });

  it('prints the current rows first, then changes, and says once that it is reconnecting however many attempts an outage takes', async () => {
    const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'watched', image: 'img:1' } })).json();
    const { instance } = await (await platform.api(`/api/servers/${server.id}/vm-instances`, { method: 'POST', json: { domain_name: 'watched-1' } })).json();
    const move = (version: number, lifecycle_state: string) => platform.api(`/api/trust/registry/${instance.id}/transition`, { method: 'POST', json: { version, lifecycle_state } });
    const proxy = await startProxy(new URL(platform.url));
    const watcher = execa(process.execPath, ['bin/mcpctl.js', 'trust', 'registry', 'watch', '--server-id', String(server.id), '--count', '2', '--json', '--retry-ms', '20'], {
      env: { MCPCTL_API_URL: proxy.url, MCPCTL_TOKEN: await platform.token() },
      extendEnv: false,
      reject: false,
    });
    const lines: Record<string, unknown>[] = [];
    watcher.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line))));
    await until(() => Promise.resolve(lines.length >= 1));
    await move(1, 'quarantined');
    await until(() => Promise.resolve(lines.length >= 2));
    proxy.outage();
    await until(() => Promise.resolve(proxy.refused() >= 3));
    await move(2, 'remediating');
    proxy.restore();
    const result = await watcher;
    await proxy.close();
    expect(result.exitCode).toBe(0);
    expect(lines.map((line) => [line.event, line.version])).toEqual([['current', 1], ['operator:quarantined', 2], ['operator:remediating', 3]]);
    expect(result.stderr.match(/reconnecting/g)).toHaveLength(1);
    expect(result.stderr.match(/reconnected/g)).toHaveLength(1);
  });
});
