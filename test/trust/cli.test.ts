import { execa } from 'execa';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startProxy } from '../support/proxy.ts';
import { startTestPlatform, tenantAdmin, verifier, type TestPlatform } from '../support/platform.ts';
import { until } from './sse-client.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['attestation-ingest', 'trust-transition', 'sse-fanout'] });
});
afterAll(() => platform.close());

let seq = 0;
async function newInstance() {
  seq += 1;
  const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: `cli-${seq}`, image: 'img:1' } })).json();
  await platform.api(`/api/servers/${server.id}/reference-measurements`, { method: 'PUT', json: { measurements: { pcr0: 'aa11' } }, as: tenantAdmin() });
  const { instance } = await (await platform.api(`/api/servers/${server.id}/vm-instances`, { method: 'POST', json: { domain_name: `cd-${seq}` } })).json();
  return { vm: instance.id as number, serverId: server.id as number };
}
const move = (vm: number, version: number, lifecycle_state: string) =>
  platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version, lifecycle_state } });

/** A TCP proxy in front of the API whose open connections the test can cut, to drop a stream mid-flight. */
describe('mcpctl trust', () => {
  it('attests, then shows the verdict with get, list and history', async () => {
    const { vm } = await newInstance();
    const attested = await mcpctl(platform, ['trust', 'attest', String(vm), '--measurement', 'pcr0=AA11', '--verifier', 'cli-test', '--wait', '--json'], { as: verifier() });
    expect(attested.exitCode).toBe(0);
    expect(JSON.parse(attested.stdout)).toMatchObject({ status: 'completed', result: { lifecycle_state: 'trusted', status: 'trusted' } });
    expect(JSON.parse((await mcpctl(platform, ['trust', 'registry', 'get', String(vm), '--json'])).stdout)).toMatchObject({ lifecycle_state: 'trusted', version: 2 });
    const listed = JSON.parse((await mcpctl(platform, ['trust', 'registry', 'list', '--lifecycle-state', 'trusted', '--json'])).stdout);
    expect(listed.items.map((item: { vm_instance_id: number }) => item.vm_instance_id)).toContain(vm);
    const table = (await mcpctl(platform, ['trust', 'registry', 'history', String(vm)])).stdout;
    expect(table).toMatch(/^ID\s+REGISTRY_VERSION/);
    expect(table).toContain('cli-test');
  });

  it('submits a file of reports in one request: one line each, refused ones with their reason, exit 1', async () => {
    const { vm } = await newInstance();
    const report = (id: number, nonce: string) => ({ vm_instance_id: id, evidence: { measurements: { pcr0: 'aa11' }, nonce, observed_at: new Date().toISOString() }, provenance: { verifier: 'cli-batch' } });
    const file = join(await mkdtemp(join(tmpdir(), 'mcpctl-batch-')), 'reports.json');
    await writeFile(file, JSON.stringify([report(vm, 'batch-nonce-1'), report(vm, 'batch-nonce-2'), report(987_654_321, 'batch-nonce-3')]));
    const table = await mcpctl(platform, ['trust', 'attestations', 'submit', file], { as: verifier() });
    expect(table.exitCode).toBe(1);
    expect(table.stdout).toMatch(/^INDEX\s+VM_INSTANCE_ID\s+STATUS/);
    expect(table.stdout).toMatch(/987654321\s+refused\s+.*vm-instance-not-found/);
    expect(table.stdout).toContain('2 queued, 1 refused');
    const missing = await mcpctl(platform, ['trust', 'attestations', 'submit', join(tmpdir(), 'no-such-reports.json')], { as: verifier() });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stdout + missing.stderr).toContain('cannot read');
  });

  it('prints code: detail and exits non-zero on a stale version', async () => {
    const { vm } = await newInstance();
    const result = await mcpctl(platform, ['trust', 'registry', 'transition', String(vm), '--to', 'quarantined', '--version', '4']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^version-conflict: /);
    const ok = await mcpctl(platform, ['trust', 'registry', 'transition', String(vm), '--to', 'quarantined', '--version', '1', '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ registry: { lifecycle_state: 'quarantined', version: 2 } });
  });

  it('watches one line per event and resumes after a dropped connection without gaps or repeats', async () => {
    const { vm, serverId } = await newInstance();
    const proxy = await startProxy(new URL(platform.url));
    const watcher = execa(process.execPath, ['bin/mcpctl.js', 'trust', 'registry', 'watch', '--server-id', String(serverId), '--since', '0', '--count', '3', '--json', '--retry-ms', '100'], {
      env: { MCPCTL_API_URL: proxy.url, MCPCTL_TOKEN: await platform.token() },
      extendEnv: false,
      reject: false,
    });
    const lines: string[] = [];
    watcher.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    // --since 0 with a server filter: the watcher sees this server's events whenever it connects.
    await move(vm, 1, 'quarantined');
    await until(() => Promise.resolve(lines.length >= 1));
    proxy.cut();
    await move(vm, 2, 'remediating');
    await move(vm, 3, 'quarantined');
    const result = await watcher;
    await proxy.close();
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('reconnecting');
    expect(lines.map((line) => JSON.parse(line).version)).toEqual([2, 3, 4]);
  });
});
