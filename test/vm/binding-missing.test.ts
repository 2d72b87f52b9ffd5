import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BASE_DATABASE_URL } from '../support/env.ts';

describe('worker startup without the libvirt binding', () => {
  it('aborts with install instructions when VM_PROVISIONER_DRIVER=libvirt', async () => {
    // The fixture hides @unraid/libvirt from module resolution, as on a host where it was never built.
    const result = await execa(process.execPath, ['--import', 'tsx', '--import', './test/vm/fixtures/hide-libvirt.mjs', 'workers/main.ts', '--queues', 'vm-launch'], {
      // A reachable database: the worker reads its queue epoch from Postgres before it looks for the binding.
      env: { DATABASE_URL: BASE_DATABASE_URL, VM_PROVISIONER_DRIVER: 'libvirt', LOG_LEVEL: 'silent', QUEUE_PREFIX: 'binding-missing' },
      reject: false,
      timeout: 30_000,
    });
    expect(result.exitCode).toBe(69); // EX_UNAVAILABLE, as for a missing sandbox
    expect(result.stderr).toContain('VM_PROVISIONER_DRIVER=libvirt needs @unraid/libvirt');
    expect(result.stderr).toContain('npm install @unraid/libvirt');
  });
});
