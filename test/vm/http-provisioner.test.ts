import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { createHttpProvisioner, type HttpProvisioner } from '../../executors/vm/http-provisioner.ts';
import type { LaunchRequest } from '../../executors/vm/provisioner.ts';
import { startFakeHypervisor, type FakeHypervisor } from './fake-hypervisor.ts';

let fake: FakeHypervisor;
let provisioner: HttpProvisioner;
beforeAll(async () => {
  fake = await startFakeHypervisor();
  provisioner = createHttpProvisioner(parseConfig({ VM_HTTP_PROVISIONER_URL: fake.url, VM_HTTP_PROVISIONER_TIMEOUT_MS: '300', LIBVIRT_SHUTDOWN_TIMEOUT_MS: '0' }));
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.fault = undefined;
});

const request: LaunchRequest = { domainName: 'mcp-9-http', serverId: 9, ownerId: 'acme', image: 'img:1', memoryMib: 512, vcpuCount: 2, tier: 'sev' };

describe('http provisioner', () => {
  it('creates, reads, tails the console of and stops a VM', async () => {
    expect(await provisioner.launch(request)).toEqual({ domainName: 'mcp-9-http', state: 'running', consoleLogPath: null, alreadyRunning: false });
    expect(fake.vms.get('mcp-9-http')?.body).toMatchObject({ memory_mib: 512, vcpu_count: 2, isolation_tier: 'sev', image: 'img:1' });
    expect(await provisioner.state('mcp-9-http')).toBe('running');
    expect(await provisioner.readConsole('mcp-9-http', 10)).toEqual(['mcp-9-http booted']);
    expect(await provisioner.stop('mcp-9-http')).toEqual({ forced: false, existed: true });
    expect(await provisioner.state('mcp-9-http')).toBe('missing');
  });

  it('treats 409 on create as an already running VM', async () => {
    await provisioner.launch({ ...request, domainName: 'mcp-dup' });
    expect(await provisioner.launch({ ...request, domainName: 'mcp-dup' })).toMatchObject({ alreadyRunning: true, state: 'running' });
  });

  it.each([
    [503, 'provisioner-unavailable', true],
    [500, 'provisioner-unavailable', true],
    [429, 'provisioner-unavailable', true],
    [400, 'provisioner-rejected', false],
    [422, 'provisioner-rejected', false],
  ])('classifies HTTP %i as %s (retryable: %s)', async (status, code, retryable) => {
    fake.fault = { status };
    await expect(provisioner.launch(request)).rejects.toMatchObject({ code, retryable });
  });

  it('classifies a timeout as transient', async () => {
    fake.fault = { hang: true };
    await expect(provisioner.state('mcp-slow')).rejects.toMatchObject({ code: 'executor-timeout', retryable: true });
  });

  it('classifies a refused connection as transient', async () => {
    const offline = createHttpProvisioner(parseConfig({ VM_HTTP_PROVISIONER_URL: 'http://127.0.0.1:1' }));
    await expect(offline.state('mcp-x')).rejects.toMatchObject({ code: 'provisioner-unavailable', retryable: true });
  });
});
