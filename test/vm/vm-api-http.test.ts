import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from '../support/platform.ts';
import type { FakeHypervisor } from './fake-hypervisor.ts';
import { startHttpDriverPlatform, vmView, waitFor } from './support.ts';

let fake: FakeHypervisor;
let platform: TestPlatform;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ fake, platform, close } = await startHttpDriverPlatform());
});
afterAll(() => close());

describe('VM orchestration on the legacy HTTP driver', () => {
  it('launches through the hypervisor API, tails its console and stops it', async () => {
    const { id } = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'legacy', image: 'img:2', isolation_tier: 'sev' } })).json();
    await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: {} });
    const view = await waitFor(() => vmView(platform, id), (v) => v.server_status === 'running');
    expect(view.instance).toMatchObject({ driver: 'http', isolation_tier: 'sev', credential_snapshot: {} });
    expect(fake.vms.get(view.instance.domain_name)?.body).toMatchObject({ image: 'img:2', isolation_tier: 'sev' });

    const logs = await (await platform.api(`/api/servers/${id}/vm/logs`)).json();
    expect(logs).toMatchObject({ domain_name: view.instance.domain_name, lines: [`${view.instance.domain_name} booted`], cursor: null });
    expect((await platform.api(`/api/servers/${id}/vm/logs/stream`)).status).toBe(409);

    await platform.api(`/api/servers/${id}/vm/stop`, { method: 'POST', json: {} });
    await waitFor(() => vmView(platform, id), (v) => v.server_status === 'stopped');
    expect(fake.vms.has(view.instance.domain_name)).toBe(false);
  });

  it('marks the launch failed when the hypervisor rejects it as structurally wrong', async () => {
    const { id } = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'rejected', image: 'img:3' } })).json();
    fake.fault = { status: 422 };
    await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: {} });
    const view = await waitFor(() => vmView(platform, id), (v) => v.server_status === 'launch-failed');
    fake.fault = undefined;
    expect(view.placement_notes).toContain('vm:launch-error=provisioner-rejected');
    expect(view.instance).toMatchObject({ status: 'launch-failed' });
    expect(view.instance.terminated_at).not.toBeNull();
  });
});
