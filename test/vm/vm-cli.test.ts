import { execa } from 'execa';
import { appendFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startProxy } from '../support/proxy.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { vmView, waitFor } from './support.ts';
import { createTestDriver, type TestDriver } from './test-driver.ts';

let driver: TestDriver;
let platform: TestPlatform;
let serverId: number;
let logPath: string;
beforeAll(async () => {
  driver = await createTestDriver();
  platform = await startTestPlatform({
    workers: ['vm-launch', 'sse-fanout'],
    env: { VM_PROVISIONER_DRIVER: 'libvirt', LIBVIRT_CONNECTION_URI: driver.uri, LIBVIRT_CONSOLE_LOG_DIR: `${driver.dir}/console` },
  });
  serverId = (await (await platform.api('/api/servers', { method: 'POST', json: { name: 'cli-vm', image: 'img:1', memory_mib: 128 } })).json()).id;
});
afterAll(async () => {
  await platform.close();
  await driver.cleanup();
});

describe('mcpctl vm', () => {
  it('launches, shows the VM as a table and as JSON', async () => {
    const launched = await mcpctl(platform, ['vm', 'launch', String(serverId), '--json']);
    expect(launched.exitCode).toBe(0);
    expect(JSON.parse(launched.stdout)).toMatchObject({ server_id: serverId, action: 'launch', status: 'launch-requested' });
    await waitFor(() => vmView(platform, serverId), (view) => view.server_status === 'running');

    const json = JSON.parse((await mcpctl(platform, ['vm', 'get', String(serverId), '--json'])).stdout);
    expect(json.instance).toMatchObject({ driver: 'libvirt', memory_mib: 128 });
    logPath = String((await platform.db.sql`SELECT console_log_path FROM runtime_vm_instances WHERE id = ${json.instance.id}`)[0]?.console_log_path);
    const table = (await mcpctl(platform, ['vm', 'get', String(serverId)])).stdout;
    expect(table).toMatch(/^status\s+running$/m);
    expect(table).toMatch(/^lifecycle\s+pending \(neutral\)$/m);
    expect(table).toContain('policy_hook:remediation_gate=clear');
  });

  it('prints the console tail, then follows new lines', async () => {
    await appendFile(logPath, 'first\nsecond\n');
    expect((await mcpctl(platform, ['vm', 'logs', String(serverId), '--tail', '1'])).stdout).toBe('second');

    const follow = execa(process.execPath, ['bin/mcpctl.js', 'vm', 'logs', String(serverId), '--tail', '1', '--follow', '--limit', '2'], {
      env: { MCPCTL_API_URL: platform.url, MCPCTL_TOKEN: await platform.token() },
      extendEnv: false,
    });
    // The tail is printed before the stream opens; lines appended after it must arrive through the stream.
    await new Promise((resolve) => follow.stdout.once('data', resolve));
    await appendFile(logPath, 'third\nfourth\n');
    const result = await follow;
    expect(result.stdout).toBe('second\nthird\nfourth');
  });

  it('resumes a followed console after the connection drops, without gaps or repeats', async () => {
    const proxy = await startProxy(new URL(platform.url));
    const follow = execa(process.execPath, ['bin/mcpctl.js', 'vm', 'logs', String(serverId), '--tail', '1', '--follow', '--limit', '2', '--retry-ms', '100'], {
      env: { MCPCTL_API_URL: proxy.url, MCPCTL_TOKEN: await platform.token() },
      extendEnv: false,
    });
    const lines: string[] = [];
    follow.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    await waitFor(async () => lines.length, (count) => count >= 1);
    await appendFile(logPath, 'fifth\n');
    await waitFor(async () => lines.length, (count) => count >= 2);
    proxy.cut();
    await appendFile(logPath, 'sixth\n');
    const result = await follow;
    await proxy.close();
    expect(result.stdout).toBe('fourth\nfifth\nsixth');
    expect(result.stderr).toContain('reconnecting');
  });

  it('stops the VM', async () => {
    expect((await mcpctl(platform, ['vm', 'stop', String(serverId)])).stdout).toMatch(/^status\s+stopping$/m);
    await waitFor(() => vmView(platform, serverId), (view) => view.server_status === 'stopped');
  });

  it('prints code: detail and exits 1 for an unknown server', async () => {
    const result = await mcpctl(platform, ['vm', 'get', '999999']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^server-not-found: /);
  });
});
