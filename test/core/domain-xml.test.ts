import { describe, expect, it } from 'vitest';
import { buildDomainXml, type DomainSpec } from '../../core/domain-xml.ts';
import { assertTierSupported, compareVersions } from '../../core/libvirt-versions.ts';

const base: DomainSpec = {
  name: 'mcp-7-abc',
  domainType: 'kvm',
  memoryMib: 1024,
  vcpuCount: 2,
  tier: 'none',
  console: { source: 'pty', logFile: '/var/log/mcp-runtime/console/mcp-7-abc.log' },
  network: { type: 'bridge', source: 'br0', model: 'virtio', mac: '52:54:00:AA:bb:01' },
  volume: { path: '/var/lib/mcp/7.qcow2', driver: 'qcow2', bus: 'virtio', target: 'vda', readonly: false },
  gpu: { enabled: true, devices: ['0000:65:00.0', '0000:b3:00.1'], managed: true },
  labels: { serverId: 7, ownerId: 'acme', image: 'ghcr.io/acme/mcp:1' },
};

describe('domain XML builder', () => {
  it.each(['none', 'sev', 'sev-snp', 'tdx'] as const)('renders the %s tier', async (tier) => {
    await expect(buildDomainXml({ ...base, tier })).toMatchFileSnapshot(`./__snapshots__/domain-xml/${tier}.xml`);
  });

  it('escapes every value instead of letting it become markup', () => {
    const xml = buildDomainXml({ ...base, name: 'a</name><evil/>', labels: { serverId: 1, ownerId: 'o"wner', image: "i'<&>" } });
    expect(xml).toContain('<name>a&lt;/name&gt;&lt;evil/&gt;</name>');
    expect(xml).not.toContain('<evil/>');
    expect(xml).toContain('owner="o&quot;wner"');
  });

  it('boots a kernel directly and leaves GPUs out when the policy disables them', () => {
    const xml = buildDomainXml({
      ...base,
      domainType: 'qemu',
      gpu: { enabled: false, devices: ['0000:65:00.0'], managed: true },
      directBoot: { kernel: '/boot/vmlinuz', initrd: '/tmp/initrd.gz', cmdline: 'console=ttyS0 panic=-1' },
    });
    expect(xml).toContain('<kernel>/boot/vmlinuz</kernel>');
    expect(xml).toContain('<cmdline>console=ttyS0 panic=-1</cmdline>');
    expect(xml).not.toContain('<hostdev');
    expect(xml).not.toContain('<boot dev');
  });

  it.each([
    ['file', '<source path="/l.log"/>'],
    ['tcp', '<source mode="bind" host="127.0.0.1" service="50007"/>'],
    ['unix', '<source mode="bind" path="/run/c.sock"/>'],
  ] as const)('wires a %s console source', (source, expected) => {
    const xml = buildDomainXml({ ...base, console: { source, logFile: '/l.log', socketPath: '/run/c.sock', tcpPort: 50007 } });
    expect(xml).toContain(`<serial type="${source}">`);
    expect(xml).toContain(expected);
  });
});

describe('libvirt version requirements', () => {
  it('orders versions numerically', () => {
    expect(compareVersions('10.5.0', '9.0.0')).toBeGreaterThan(0);
    expect(compareVersions('9.0.0', '9.0.0')).toBe(0);
  });

  it.each([
    ['sev-snp', '10.5.0'],
    ['tdx', '11.6.0'],
  ] as const)('refuses %s on libvirt 9.0.0 and names %s', (tier, needed) => {
    expect(() => assertTierSupported(tier, '9.0.0')).toThrow(expect.objectContaining({ code: 'unsupported-isolation-tier', detail: expect.stringContaining(needed) }));
  });

  it('accepts tiers the connected libvirt supports', () => {
    expect(() => assertTierSupported('sev', '9.0.0')).not.toThrow();
    expect(() => assertTierSupported('tdx', '11.6.0')).not.toThrow();
  });
});
