// A tenant registers a VM instance under a domain name of its choosing. The hypervisor must never be asked about a
// domain the platform did not launch for that tenant's server: not to stop it, not to read its console, not to
// adopt it as "already running". Otherwise registering `other-tenant-vm` (or a host's own VM) and asking to stop
// it stops someone else's machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startFakeHypervisor, type FakeHypervisor } from '../vm/fake-hypervisor.ts';
import { vmView, waitFor } from '../vm/support.ts';

let fake: FakeHypervisor;
let platform: TestPlatform;
beforeAll(async () => {
  fake = await startFakeHypervisor();
  platform = await startTestPlatform({
    workers: ['vm-launch'],
    env: { VM_PROVISIONER_DRIVER: 'http', VM_HTTP_PROVISIONER_URL: fake.url, VM_HTTP_PROVISIONER_TIMEOUT_MS: '2000' },
  });
});
afterAll(async () => {
  await platform.close();
  await fake.close();
});

const victim = { owner: 'globex', roles: ['operator' as const] };

describe('an instance registered under a foreign domain name', () => {
  it("is never stopped, adopted or tailed on the hypervisor: another tenant's VM keeps running", async () => {
    // The victim's VM, launched by the platform for the victim's server.
    const theirs = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'victim', image: 'img:1' }, as: victim })).json();
    await platform.api(`/api/servers/${theirs.id}/vm/launch`, { method: 'POST', json: {}, as: victim });
    const victimView = await waitFor(() => vmView(platform, theirs.id, victim), (v) => v.server_status === 'running');
    const target = victimView.instance.domain_name as string;
    // A VM on the same hypervisor that the platform never launched (a host's own machine).
    fake.vms.set('host-database', { state: 'running', console: ['host secret'], body: {} });

    // Under the other driver the unique (driver, domain_name) index does not see the victim's live row.
    for (const [driver, name] of [['libvirt', target], ['http', 'host-database']] as const) {
      const mine = await (await platform.api('/api/servers', { method: 'POST', json: { name: `attacker-${name}`, image: 'img:1' } })).json();
      const registered = await platform.api(`/api/servers/${mine.id}/vm-instances`, { method: 'POST', json: { driver, domain_name: name } });
      expect(registered.status).toBe(201);
      fake.requests.length = 0;
      const logs = await (await platform.api(`/api/servers/${mine.id}/vm/logs`)).json();
      expect(logs.lines).toEqual([]);
      await platform.api(`/api/servers/${mine.id}/vm/stop`, { method: 'POST', json: {} });
      await waitFor(() => vmView(platform, mine.id), (v) => v.server_status === 'stopped');
      expect(fake.requests.filter((request) => request.includes(name))).toEqual([]);
      expect(fake.vms.get(name)?.state).toBe('running');
    }
  });
});
