// bench:launch — launch overhead of our libvirt executor against `virsh define` + `virsh start` of the same XML on the
// same libvirt, as a ratio of medians, plus domain-XML builds per second. Runs on libvirt's test driver always, and
// on qemu:///system (real QEMU processes) when run as root with libvirt installed.
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../core/config.ts';
import { buildDomainXml } from '../core/domain-xml.ts';
import { loadLibvirtBinding } from '../executors/vm/libvirt-binding.ts';
import { createCredentialStore } from '../executors/vm/libvirt-credentials.ts';
import { createLibvirtProvisioner, domainSpecFor } from '../executors/vm/libvirt-provisioner.ts';
import type { LaunchRequest } from '../executors/vm/provisioner.ts';
import { ensureLibvirtDaemons } from '../test/vm/libvirt-daemons.ts';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function xmlBuildsPerSecond(): { builds_per_second: number; builds: number } {
  const config = parseConfig({ LIBVIRT_NETWORK_TEMPLATE: '{"source":"default"}', LIBVIRT_VOLUME_TEMPLATE: '{"path":"/var/lib/mcp/a.qcow2"}' });
  const tiers = ['none', 'sev', 'sev-snp', 'tdx'] as const;
  let builds = 0;
  const start = performance.now();
  while (performance.now() - start < 2_000) {
    const tier = tiers[builds % tiers.length] ?? 'none';
    buildDomainXml(domainSpecFor(config, { domainName: `mcp-${builds}`, serverId: builds, ownerId: 'bench', image: 'img', memoryMib: 512, vcpuCount: 1, tier }));
    builds += 1;
  }
  return { builds, builds_per_second: Math.round(builds / ((performance.now() - start) / 1000)) };
}

/** Interleaves our launch and virsh's define+start of identical XML; teardown is not timed. */
async function compare(uri: string, rounds: number, dir: string, virshInOneProcess: boolean) {
  const config = parseConfig({ VM_PROVISIONER_DRIVER: 'libvirt', LIBVIRT_CONNECTION_URI: uri, LIBVIRT_DOMAIN_TYPE: 'qemu', LIBVIRT_CONSOLE_LOG_DIR: join(dir, 'console'), LIBVIRT_SHUTDOWN_TIMEOUT_MS: '0' });
  await mkdir(config.LIBVIRT_CONSOLE_LOG_DIR, { recursive: true });
  const provisioner = createLibvirtProvisioner(await loadLibvirtBinding(), config, await createCredentialStore(uri, {}));
  const request = (name: string): LaunchRequest => ({ domainName: name, serverId: 1, ownerId: 'bench', image: 'img', memoryMib: 64, vcpuCount: 1, tier: 'none' });
  const virsh = (args: string[]) => execa('virsh', ['-c', uri, ...args], { stdin: 'ignore' });
  const ours: number[] = [];
  const theirs: number[] = [];
  try {
    for (let round = -1; round < rounds; round += 1) {
      const mine = `mcp-bench-ours-${process.pid}-${round + 1}`;
      const baseline = `mcp-bench-virsh-${process.pid}-${round + 1}`;
      const xmlPath = join(dir, `${baseline}.xml`);
      await writeFile(xmlPath, buildDomainXml(domainSpecFor(config, request(baseline))));
      const oursMs = await timed(() => provisioner.launch(request(mine)));
      // The test driver keeps state per process, so there define and start must share one virsh process.
      const virshMs = await timed(async () => {
        if (virshInOneProcess) await virsh([`define ${xmlPath}; start ${baseline}`]);
        else {
          await virsh(['define', xmlPath]);
          await virsh(['start', baseline]);
        }
      });
      if (round >= 0) {
        ours.push(oursMs);
        theirs.push(virshMs);
      }
      await provisioner.stop(mine);
      if (!virshInOneProcess) {
        await execa('virsh', ['-c', uri, 'destroy', baseline], { reject: false });
        await execa('virsh', ['-c', uri, 'undefine', baseline], { reject: false });
      }
    }
  } finally {
    await provisioner.close();
  }
  return {
    uri,
    rounds,
    ours_median_ms: round(median(ours)),
    virsh_median_ms: round(median(theirs)),
    ratio_ours_to_virsh: round(median(ours) / median(theirs), 3),
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-bench-launch-'));
  const results: Record<string, unknown> = { date: new Date().toISOString() };
  try {
    results.xml = xmlBuildsPerSecond();
    console.log(`domain XML builds: ${(results.xml as { builds_per_second: number }).builds_per_second}/s`);
    results.test_driver = await compare('test:///default', 30, dir, true);
    console.log('test driver (ours vs one virsh process doing define+start):', results.test_driver);
    if (process.getuid?.() === 0) {
      const daemons = await ensureLibvirtDaemons();
      try {
        results.qemu_system = await compare('qemu:///system', 8, dir, false);
        console.log('qemu:///system (ours vs virsh define + virsh start):', results.qemu_system);
      } finally {
        await daemons.stop();
      }
    } else {
      results.qemu_system = { skipped: 'needs root to run libvirtd + QEMU' };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/launch.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/results/launch.json');
}

await main();
