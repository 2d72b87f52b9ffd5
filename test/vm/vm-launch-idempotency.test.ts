import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibvirtProvisioner } from '../../executors/vm/libvirt-provisioner.ts';
import { domainNameFor } from '../../core/vm-domain-name.ts';
import type { TestPlatform } from '../support/platform.ts';
import { startLibvirtLaunchHarness } from './support.ts';

let platform: TestPlatform;
let provisioner: LibvirtProvisioner;
let run: Awaited<ReturnType<typeof startLibvirtLaunchHarness>>['run'];
let close: () => Promise<void>;
beforeAll(async () => {
  ({ platform, provisioner, run, close } = await startLibvirtLaunchHarness());
});
afterAll(() => close());

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
