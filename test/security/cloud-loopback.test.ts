// A tenant's cloud playbook runs in the worker process, outside the sandbox. By default it must not reach the
// services on the worker's own host: the legacy hypervisor API (VM_HTTP_PROVISIONER_URL, loopback by default) has
// no authentication, so a POST there would stop or launch any tenant's VM past the placement gate.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namesLocalHost } from '../../core/local-host.ts';
import { createInstance, createPlaybook, enqueueRun, waitForRun } from '../remediation/support.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let hypervisor: Server;
const received: string[] = [];
let port: number;
const platforms: TestPlatform[] = [];
let defaults: TestPlatform;

beforeAll(async () => {
  hypervisor = createServer((request, response) => {
    received.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ forced: false }));
  });
  await new Promise<void>((resolve) => hypervisor.listen(0, '127.0.0.1', resolve));
  port = (hypervisor.address() as AddressInfo).port;
  defaults = await platformWith({});
});
afterAll(async () => {
  for (const platform of platforms) await platform.close();
  await new Promise((resolve) => hypervisor.close(resolve));
});

async function platformWith(env: Record<string, string>): Promise<TestPlatform> {
  const platform = await startTestPlatform({ workers: ['remediation-execute'], env: { REMEDIATION_WORKDIR: `/tmp/remediation-loopback-${process.pid}`, ...env } });
  platforms.push(platform);
  return platform;
}

async function runCloud(platform: TestPlatform, url: string) {
  const playbook = await createPlaybook(platform, {
    playbook_key: `loopback-${Math.random().toString(36).slice(2)}`,
    executor_type: 'cloud',
    approval_required: false,
    retry_limit: 0,
    plan: { method: 'POST', url, body: { timeout_ms: 1 } },
  });
  const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
  return waitForRun<{ status: string; failure_reason: string | null }>(platform, run.id, (r) => ['succeeded', 'failed', 'cancelled'].includes(r.status));
}

describe('a cloud playbook naming the worker host', () => {
  it.each(['http://127.0.0.1:PORT', 'http://localhost:PORT', 'http://LOCALHOST:PORT', 'https://127.1:PORT', 'https://2130706433:PORT'])(
    '%s fails policy-denied and sends nothing by default',
    async (base) => {
      received.length = 0;
      const done = await runCloud(defaults, `${base.replace('PORT', String(port))}/v1/vms/mcp-1-0123456789/stop`);
      expect({ status: done.status, reason: done.failure_reason, received }).toEqual({ status: 'failed', reason: 'policy-denied', received: [] });
    },
  );

  it('reaches it only on a worker started with REMEDIATION_CLOUD_ALLOW_LOOPBACK=true', async () => {
    const platform = await platformWith({ REMEDIATION_CLOUD_ALLOW_LOOPBACK: 'true' });
    received.length = 0;
    const done = await runCloud(platform, `http://127.0.0.1:${port}/v1/vms/mcp-1-0123456789/stop`);
    expect({ status: done.status, received }).toEqual({ status: 'succeeded', received: ['POST /v1/vms/mcp-1-0123456789/stop'] });
  });

  it('counts every spelling of loopback, the unspecified address and link-local as the worker host', () => {
    const local = ['https://127.1/', 'https://0x7f.1/', 'https://0/', 'https://localhost./', 'https://a.localhost/', 'https://[::1]/', 'https://[0:0:0:0:0:0:0:1]/', 'https://[::ffff:127.0.0.1]/', 'https://169.254.169.254/', 'https://[fe80::1]/'];
    const remote = ['https://api.example/', 'https://10.0.0.1/', 'https://128.0.0.1/', 'https://[::ffff:10.0.0.1]/', 'https://localhost.example/'];
    expect(local.filter((url) => !namesLocalHost(url))).toEqual([]);
    expect(remote.filter(namesLocalHost)).toEqual([]);
  });
});
