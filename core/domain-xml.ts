// Builds libvirt domain XML from a launch spec with xmlbuilder2 (every value escaped by the builder, never concatenated).
// The isolation tier decides the confidential-computing stanza; templates decide network, boot volume and GPUs.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { IsolationTier } from './config.ts';
import type { LibvirtDirectBoot, LibvirtGpuPolicy, LibvirtNetworkTemplate, LibvirtVolumeTemplate } from './libvirt-templates.ts';

export const METADATA_NAMESPACE = 'https://mcp-runtime.dev/xmlns/domain/1';

export type DomainType = 'kvm' | 'qemu' | 'test';
export type ConsoleSource = 'pty' | 'tcp' | 'unix' | 'file';

export interface DomainSpec {
  name: string;
  domainType: DomainType;
  memoryMib: number;
  vcpuCount: number;
  tier: IsolationTier;
  console: { source: ConsoleSource; logFile: string; socketPath?: string; tcpPort?: number };
  network?: LibvirtNetworkTemplate;
  volume?: LibvirtVolumeTemplate;
  gpu?: LibvirtGpuPolicy;
  directBoot?: LibvirtDirectBoot;
  labels?: { serverId: number; ownerId: string; image: string };
}

/** What each confidential tier needs from libvirt. Policies are the vendors' conservative defaults. */
interface ConfidentialProfile {
  launchSecurity: Record<string, string>;
  children: Record<string, string>;
  lockedMemory: boolean;
  statelessFirmware: boolean;
}

export const confidentialProfiles: Record<Exclude<IsolationTier, 'none'>, ConfidentialProfile> = {
  // SEV: no debug, no key sharing (0x0033); guest pages are pinned, so memory must be locked.
  sev: { launchSecurity: { type: 'sev' }, children: { cbitpos: '47', reducedPhysBits: '1', policy: '0x0033' }, lockedMemory: true, statelessFirmware: false },
  // SEV-SNP: policy bit 17 (reserved, must be 1) + SMT allowed; firmware is measured, so it carries no NVRAM state.
  'sev-snp': {
    launchSecurity: { type: 'sev-snp', authorKey: 'no', vcek: 'yes' },
    children: { cbitpos: '51', reducedPhysBits: '1', policy: '0x00030000' },
    lockedMemory: false,
    statelessFirmware: true,
  },
  // TDX: SEPT #VE disabled (bit 28), the attribute guest kernels expect.
  tdx: { launchSecurity: { type: 'tdx' }, children: { policy: '0x10000000' }, lockedMemory: false, statelessFirmware: true },
};

function addOs(domain: XMLBuilder, spec: DomainSpec): void {
  const confidential = spec.tier !== 'none';
  const os = domain.ele('os', confidential ? { firmware: 'efi' } : {});
  os.ele('type', confidential ? { arch: 'x86_64', machine: 'q35' } : { arch: 'x86_64' }).txt('hvm');
  if (confidential && confidentialProfiles[spec.tier as Exclude<IsolationTier, 'none'>].statelessFirmware) {
    os.ele('loader', { stateless: 'yes' });
  }
  if (spec.directBoot !== undefined) {
    os.ele('kernel').txt(spec.directBoot.kernel);
    if (spec.directBoot.initrd !== undefined) os.ele('initrd').txt(spec.directBoot.initrd);
    os.ele('cmdline').txt(spec.directBoot.cmdline);
  } else {
    os.ele('boot', { dev: 'hd' });
  }
}

function addNetwork(devices: XMLBuilder, network: LibvirtNetworkTemplate, iommu: boolean): void {
  const nic = devices.ele('interface', { type: network.type });
  if (network.mac !== undefined) nic.ele('mac', { address: network.mac.toLowerCase() });
  if (network.source !== undefined && network.type !== 'user') {
    const attribute = { network: 'network', bridge: 'bridge', direct: 'dev' }[network.type];
    nic.ele('source', network.type === 'direct' ? { dev: network.source, mode: 'bridge' } : { [attribute]: network.source });
  }
  nic.ele('model', { type: network.model });
  if (iommu && network.model === 'virtio') nic.ele('driver', { iommu: 'on' });
}

function addVolume(devices: XMLBuilder, volume: LibvirtVolumeTemplate, iommu: boolean): void {
  const disk = devices.ele('disk', { type: 'file', device: 'disk' });
  disk.ele('driver', { name: 'qemu', type: volume.driver, ...(iommu && volume.bus === 'virtio' ? { iommu: 'on' } : {}) });
  disk.ele('source', { file: volume.path });
  disk.ele('target', { dev: volume.target, bus: volume.bus });
  if (volume.readonly) disk.ele('readonly');
}

function addGpus(devices: XMLBuilder, gpu: LibvirtGpuPolicy): void {
  if (!gpu.enabled) return;
  for (const address of gpu.devices) {
    const [domainPart, bus, slotFunction] = address.toLowerCase().split(':') as [string, string, string];
    const [slot, fn] = slotFunction.split('.') as [string, string];
    const hostdev = devices.ele('hostdev', { mode: 'subsystem', type: 'pci', managed: gpu.managed ? 'yes' : 'no' });
    hostdev.ele('source').ele('address', { domain: `0x${domainPart}`, bus: `0x${bus}`, slot: `0x${slot}`, function: `0x${fn}` });
  }
}

/** A serial port carrying the console; pty/tcp/unix ports also write everything to `logFile` for tailing. */
function addConsole(devices: XMLBuilder, console: DomainSpec['console']): void {
  const serial = devices.ele('serial', { type: console.source });
  if (console.source === 'file') serial.ele('source', { path: console.logFile });
  if (console.source === 'tcp') serial.ele('source', { mode: 'bind', host: '127.0.0.1', service: String(console.tcpPort ?? 0) });
  if (console.source === 'unix') serial.ele('source', { mode: 'bind', path: console.socketPath ?? `${console.logFile}.sock` });
  if (console.source === 'tcp') serial.ele('protocol', { type: 'raw' });
  if (console.source !== 'file') serial.ele('log', { file: console.logFile, append: 'off' });
  serial.ele('target', { port: '0' });
  devices.ele('console', { type: console.source }).ele('target', { type: 'serial', port: '0' });
}

export function buildDomainXml(spec: DomainSpec): string {
  // Escaping cannot carry characters XML 1.0 forbids (control characters in a server's image name): replace them,
  // or libvirt refuses the whole document and the launch can never succeed.
  const doc = create({ version: '1.0', invalidCharReplacement: '\uFFFD' });
  const domain = doc.ele('domain', { type: spec.domainType });
  domain.ele('name').txt(spec.name);
  if (spec.labels !== undefined) {
    domain
      .ele('metadata')
      .ele(METADATA_NAMESPACE, 'mcp:server', { id: String(spec.labels.serverId), owner: spec.labels.ownerId, image: spec.labels.image });
  }
  domain.ele('memory', { unit: 'MiB' }).txt(String(spec.memoryMib));
  domain.ele('vcpu').txt(String(spec.vcpuCount));
  const profile = spec.tier === 'none' ? undefined : confidentialProfiles[spec.tier];
  if (profile?.lockedMemory) domain.ele('memoryBacking').ele('locked');
  addOs(domain, spec);
  domain.ele('features').ele('acpi');
  domain.ele('on_poweroff').txt('destroy');
  domain.ele('on_reboot').txt('restart');
  domain.ele('on_crash').txt('destroy');
  const devices = domain.ele('devices');
  const iommu = profile !== undefined;
  if (spec.volume !== undefined) addVolume(devices, spec.volume, iommu);
  if (spec.network !== undefined) addNetwork(devices, spec.network, iommu);
  if (spec.gpu !== undefined) addGpus(devices, spec.gpu);
  addConsole(devices, spec.console);
  if (profile !== undefined) {
    const security = domain.ele('launchSecurity', profile.launchSecurity);
    for (const [name, value] of Object.entries(profile.children)) security.ele(name).txt(value);
  }
  return doc.end({ prettyPrint: true, headless: true });
}
