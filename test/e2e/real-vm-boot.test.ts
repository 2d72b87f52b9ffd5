// Boots a real tiny VM through the API: libvirtd + QEMU (software emulation), direct kernel boot of Debian's cloud
// kernel with a busybox initramfs, and the guest's serial line read back through GET /api/servers/:id/vm/logs.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { buildInitramfs, findCloudKernel } from '../vm/initramfs.ts';
import { ensureLibvirtDaemons, type Daemons } from '../vm/libvirt-daemons.ts';
import { vmView, waitFor } from '../vm/support.ts';

const nonce = randomBytes(8).toString('hex');
const bootLine = `mcp-runtime guest up nonce=${nonce}`;
let dir: string;
let daemons: Daemons;
let platform: TestPlatform;
let domainName: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-real-boot-'));
  daemons = await ensureLibvirtDaemons();
  const [kernel, initrd] = await Promise.all([findCloudKernel(), buildInitramfs(dir, bootLine)]);
  platform = await startTestPlatform({
    workers: ['vm-launch', 'sse-fanout'],
    env: {
      VM_PROVISIONER_DRIVER: 'libvirt',
      LIBVIRT_CONNECTION_URI: 'qemu:///system',
      LIBVIRT_DOMAIN_TYPE: 'qemu',
      LIBVIRT_DIRECT_BOOT: JSON.stringify({ kernel, initrd, cmdline: 'console=ttyS0 panic=-1' }),
      LIBVIRT_CONSOLE_LOG_DIR: join(dir, 'console'),
      LIBVIRT_SHUTDOWN_TIMEOUT_MS: '1000',
    },
  });
}, 120_000);

afterAll(async () => {
  await platform?.close();
  // A failed run must not leave a guest behind on the shared libvirtd.
  if (domainName !== undefined) {
    await execa('virsh', ['-c', 'qemu:///system', 'destroy', domainName], { reject: false });
    await execa('virsh', ['-c', 'qemu:///system', 'undefine', domainName], { reject: false });
  }
  await daemons?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('real VM boot', () => {
  it('launches a QEMU guest through the API and reads its console line through the logs API', async () => {
    const created = await platform.api('/api/servers', { method: 'POST', json: { name: 'real-boot', image: 'busybox-initramfs', memory_mib: 256, vcpu_count: 1 } });
    const { id } = await created.json();
    expect((await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: {} })).status).toBe(202);

    const view = await waitFor(() => vmView(platform, id), (v) => v.server_status === 'running' || v.server_status === 'launch-failed', 60_000);
    domainName = view.instance?.domain_name;
    expect(view).toMatchObject({ server_status: 'running', instance: { driver: 'libvirt', status: 'running' } });

    const logs = await waitFor(
      async () => (await platform.api(`/api/servers/${id}/vm/logs?tail=1000`)).json(),
      (body) => body.lines.some((line: string) => line.includes(bootLine)),
      90_000,
    );
    expect(logs.domain_name).toBe(domainName);
    expect(logs.lines.filter((line: string) => line === bootLine)).toHaveLength(1);

    expect((await platform.api(`/api/servers/${id}/vm/stop`, { method: 'POST', json: {} })).status).toBe(202);
    await waitFor(() => vmView(platform, id), (v) => v.server_status === 'stopped', 30_000);
    const [instance] = await platform.db.sql`SELECT status, metadata FROM runtime_vm_instances WHERE id = ${view.instance.id}`;
    expect(instance).toMatchObject({ status: 'stopped', metadata: { stop_forced: true } });
    const listed = await execa('virsh', ['-c', 'qemu:///system', 'list', '--all', '--name']);
    expect(listed.stdout.split('\n')).not.toContain(domainName);
  }, 180_000);
});
