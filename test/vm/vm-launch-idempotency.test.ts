import type { Job } from 'bullmq';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLibvirtBinding } from '../../executors/vm/libvirt-binding.ts';
import { createCredentialStore } from '../../executors/vm/libvirt-credentials.ts';
import { createLibvirtProvisioner, type LibvirtProvisioner } from '../../executors/vm/libvirt-provisioner.ts';
import { domainNameFor } from '../../core/vm-domain-name.ts';
import { createVmLaunchHandler } from '../../workers/vm-launch.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createTestDriver, type TestDriver } from './test-driver.ts';

// The processor is driven directly, in this process, so the test sees the same in-process libvirt the job used.
let driver: TestDriver;
let platform: TestPlatform;
let provisioner: LibvirtProvisioner;
let run: ReturnType<typeof createVmLaunchHandler>;
beforeAll(async () => {
  driver = await createTestDriver();
  platform = await startTestPlatform({ workers: false });
  const config = driver.config();
  provisioner = createLibvirtProvisioner(
    await loadLibvirtBinding(),
    config,
    await createCredentialStore(config.LIBVIRT_CONNECTION_URI, {}),
  );
  run = createVmLaunchHandler({
    sql: platform.db.sql,
    db: platform.clients.db,
    config: { ...platform.config, ...config },
    provisioner,
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await provisioner.close();
  await platform.close();
  await driver.cleanup();
});

const job = { id: 'vm-launch:redelivered', attemptsMade: 0, opts: { attempts: 3 } } as Job;

describe('vm-launch processor', () => {
  it('launches one VM when the same job runs twice, including after dying between start and record', async () => {
    const { id } = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'twice', image: 'img:1' } })).json();
    const data = { server_id: id, owner_id: 'acme', action: 'launch' as const, requested_by: 'alice', request_id: 'req-1' };
    expect(await run(data, job, undefined)).toMatchObject({ outcome: 'launched' });
    expect(await run(data, job, undefined)).toMatchObject({ outcome: 'already-running' });

    // A worker that died after starting the domain but before recording it left the instance `launching`.
    await platform.db.sql`UPDATE runtime_vm_instances SET status = 'launching' WHERE server_id = ${id}`;
    expect(await run(data, job, undefined)).toMatchObject({ outcome: 'launched', state: 'running' });

    const rows = await platform.db.sql`SELECT domain_name, status FROM runtime_vm_instances WHERE server_id = ${id}`;
    expect(rows).toEqual([{ domain_name: domainNameFor(id, 'req-1'), status: 'running' }]);
    expect(await provisioner.state(domainNameFor(id, 'req-1'))).toBe('running');
  });
});
