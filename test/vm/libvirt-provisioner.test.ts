import { afterEach, describe, expect, it } from 'vitest';
import { loadLibvirtBinding } from '../../executors/vm/libvirt-binding.ts';
import { createCredentialStore } from '../../executors/vm/libvirt-credentials.ts';
import { createLibvirtProvisioner, type LibvirtProvisioner } from '../../executors/vm/libvirt-provisioner.ts';
import type { LaunchRequest } from '../../executors/vm/provisioner.ts';
import { createTestDriver, type TestDriver } from './test-driver.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function provisionerOn(env: Record<string, string> = {}): Promise<{ provisioner: LibvirtProvisioner; driver: TestDriver }> {
  const driver = await createTestDriver();
  const config = driver.config(env);
  const credentials = await createCredentialStore(config.LIBVIRT_CONNECTION_URI, {});
  const provisioner = createLibvirtProvisioner(await loadLibvirtBinding(), config, credentials);
  cleanups.push(driver.cleanup, provisioner.close);
  return { provisioner, driver };
}

const request = (overrides: Partial<LaunchRequest> = {}): LaunchRequest => ({
  domainName: 'mcp-1-test',
  serverId: 1,
  ownerId: 'acme',
  image: 'ghcr.io/acme/mcp:1',
  memoryMib: 256,
  vcpuCount: 1,
  tier: 'none',
  ...overrides,
});

describe('libvirt provisioner on the test driver', () => {
  it('defines, starts, stops and undefines a domain', async () => {
    const { provisioner } = await provisionerOn();
    const launched = await provisioner.launch(request());
    expect(launched).toMatchObject({ domainName: 'mcp-1-test', state: 'running', alreadyRunning: false });
    expect(await provisioner.state('mcp-1-test')).toBe('running');
    expect(await provisioner.stop('mcp-1-test')).toEqual({ forced: false, existed: true });
    expect(await provisioner.state('mcp-1-test')).toBe('missing');
  });

  it('treats a second launch of the same domain as already running', async () => {
    const { provisioner } = await provisionerOn();
    await provisioner.launch(request());
    expect(await provisioner.launch(request())).toMatchObject({ state: 'running', alreadyRunning: true });
  });

  it('defines a domain whose labels hold characters XML 1.0 cannot carry, and markup, as plain text', async () => {
    const { provisioner } = await provisionerOn();
    await provisioner.launch(request({ ownerId: 'o"<evil/>', image: 'img\u0001\u001b[31m\uFFFE:1' }));
    const xml = await provisioner.domainXml('mcp-1-test');
    expect(xml).toContain('owner="o&quot;&lt;evil/&gt;"');
    expect(xml).toContain('image="img&#xFFFD;&#xFFFD;[31m&#xFFFD;:1"'); // libvirt writes them back as references
  });

  it('answers stop for an unknown domain without failing', async () => {
    const { provisioner } = await provisionerOn();
    expect(await provisioner.stop('mcp-404')).toEqual({ forced: false, existed: false });
  });

  it('keeps the SEV stanza and locked memory through define (read back from libvirt)', async () => {
    const { provisioner } = await provisionerOn();
    await provisioner.launch(request({ tier: 'sev', domainName: 'mcp-sev' }));
    const xml = await provisioner.domainXml('mcp-sev');
    expect(xml).toMatch(/<launchSecurity type='sev'>[\s\S]*<policy>0x0033<\/policy>/);
    expect(xml).toMatch(/<memoryBacking>\s*<locked\/>/);
    expect(xml).toContain("<memory unit='KiB'>262144</memory>");
  });

  it('keeps the template network, volume and GPU devices through define', async () => {
    const { provisioner } = await provisionerOn({
      LIBVIRT_NETWORK_TEMPLATE: '{"type":"network","source":"default","mac":"52:54:00:00:00:07"}',
      LIBVIRT_VOLUME_TEMPLATE: '{"path":"/var/lib/mcp/7.qcow2"}',
      LIBVIRT_GPU_POLICY: '{"enabled":true,"devices":["0000:65:00.0"]}',
    });
    await provisioner.launch(request({ domainName: 'mcp-devices' }));
    const xml = await provisioner.domainXml('mcp-devices');
    expect(xml).toContain("<mac address='52:54:00:00:00:07'/>");
    expect(xml).toContain("<source file='/var/lib/mcp/7.qcow2'/>");
    expect(xml).toContain("<address domain='0x0000' bus='0x65' slot='0x00' function='0x0'/>");
  });

  it.each([
    ['pty', "<log file='"],
    ['tcp', "<source mode='bind' host='127.0.0.1' service='50001'/>"],
    ['unix', "<source mode='bind' path='"],
    ['file', "<source path='"],
  ] as const)('keeps a %s serial console with its log through define', async (source, expected) => {
    const { provisioner, driver } = await provisionerOn({ LIBVIRT_CONSOLE_SOURCE: source });
    await provisioner.launch(request({ domainName: `mcp-console-${source}` }));
    const xml = await provisioner.domainXml(`mcp-console-${source}`);
    expect(xml).toContain(`<serial type='${source}'>`);
    expect(xml).toContain(expected);
    expect(xml).toContain(`${driver.dir}/console/mcp-console-${source}.log`);
  });

  it.each([
    ['sev-snp', '10.5.0'],
    ['tdx', '11.6.0'],
  ] as const)('refuses %s on this libvirt and names version %s', async (tier, version) => {
    const { provisioner } = await provisionerOn();
    const failure = provisioner.launch(request({ tier, domainName: `mcp-${tier}` }));
    await expect(failure).rejects.toMatchObject({ code: 'unsupported-isolation-tier', detail: expect.stringContaining(version) });
    expect(await provisioner.state(`mcp-${tier}`)).toBe('missing');
  });

  it('reports a missing native binding with install instructions', async () => {
    await expect(loadLibvirtBinding('@unraid/libvirt-not-installed')).rejects.toMatchObject({
      code: 'libvirt-binding-missing',
      detail: expect.stringMatching(/npm install @unraid\/libvirt/),
    });
  });

  it('maps an unreachable libvirt to a retryable error', async () => {
    const driver = await createTestDriver();
    const uri = 'qemu+tcp://127.0.0.1:1/system';
    const provisioner = createLibvirtProvisioner(await loadLibvirtBinding(), { ...driver.config(), LIBVIRT_CONNECTION_URI: uri }, await createCredentialStore(uri, {}));
    cleanups.push(driver.cleanup, provisioner.close);
    await expect(provisioner.state('mcp-x')).rejects.toMatchObject({ code: 'libvirt-unavailable', retryable: true });
  });
});
