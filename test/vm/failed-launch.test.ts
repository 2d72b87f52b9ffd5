// A launch that fails for good leaves one consistent story (docs/libvirt.md "A failed launch"): the instance is
// terminated (launch-failed) and retired in the registry; evidence, operator quarantines and manual runs on it
// answer 409 instance-terminated; a quarantine that raced a termination makes no run and says so on the stream;
// launching the server again makes a new instance that takes all of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemediationMaterialiseHandler } from '../../workers/remediation-materialise.ts';
import { verifier, type TestPlatform } from '../support/platform.ts';
import type { FakeHypervisor } from './fake-hypervisor.ts';
import { readEvents, startHttpDriverPlatform, vmView, waitFor } from './support.ts';

let fake: FakeHypervisor;
let platform: TestPlatform;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ fake, platform, close } = await startHttpDriverPlatform());
});
afterAll(() => close());

const evidence = (vm: number, nonce: string) => ({
  vm_instance_id: vm,
  evidence: { measurements: { pcr0: 'aa' }, nonce, observed_at: new Date().toISOString() },
  provenance: { verifier: 'snp' },
});

describe('a failed launch', () => {
  it('retires the instance, and refuses evidence, quarantine and a manual run on it with 409 instance-terminated', async () => {
    const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'doomed', image: 'img:1' } })).json();
    const playbook = await (await platform.api('/api/trust/remediation/playbooks', { method: 'POST', json: { playbook_key: 'fix', executor_type: 'shell', plan: { command: '/bin/true' } } })).json();
    fake.fault = { status: 422 };
    await platform.api(`/api/servers/${server.id}/vm/launch`, { method: 'POST', json: {} });
    const failed = await waitFor(() => vmView(platform, server.id), (view) => view.server_status === 'launch-failed');
    fake.fault = undefined;
    const vm: number = failed.instance.id;
    expect(failed.instance).toMatchObject({ status: 'launch-failed', terminated_at: expect.any(String) });
    expect(failed.trust).toMatchObject({ lifecycle_state: 'retired' });
    const history = await (await platform.api(`/api/trust/registry/${vm}/history`)).json();
    expect(history.items[0]).toMatchObject({ lifecycle_state: 'retired', previous_lifecycle_state: 'pending', trigger: 'launch-failed', actor: 'vm-launch' });

    const attestation = await platform.api('/api/trust/attestations', { method: 'POST', as: verifier(), json: evidence(vm, 'nonce-after-failure') });
    expect(attestation.status).toBe(409);
    expect(await attestation.json()).toMatchObject({ code: 'instance-terminated', vm_instance_id: vm, instance_status: 'launch-failed' });

    const registry = await (await platform.api(`/api/trust/registry/${vm}`)).json();
    const quarantine = await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: registry.version, lifecycle_state: 'quarantined' } });
    expect(quarantine.status).toBe(409);
    expect((await quarantine.json()).code).toBe('instance-terminated');

    const run = await platform.api('/api/trust/remediation/runs', { method: 'POST', json: { playbook_id: playbook.id, vm_instance_id: vm } });
    expect(run.status).toBe(409);
    expect((await run.json()).code).toBe('instance-terminated');
    expect((await (await platform.api(`/api/trust/remediation/runs?vm_instance_id=${vm}`)).json()).items).toEqual([]);

    // Launching again is allowed (retired does not gate placement) and the new instance takes evidence.
    await platform.api(`/api/servers/${server.id}/vm/launch`, { method: 'POST', json: {} });
    const running = await waitFor(() => vmView(platform, server.id), (view) => view.server_status === 'running');
    expect(running.instance.id).not.toBe(vm);
    expect(running.trust).toMatchObject({ lifecycle_state: 'pending' });
    expect((await platform.api('/api/trust/attestations', { method: 'POST', as: verifier(), json: evidence(running.instance.id, 'nonce-new-instance') })).status).toBe(202);
  });

  it('a quarantine whose instance was terminated since makes no run and says so on the remediation stream', async () => {
    const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'stopped-later', image: 'img:1' } })).json();
    const registered = await (await platform.api(`/api/servers/${server.id}/vm-instances`, { method: 'POST', json: { domain_name: 'stopped-later-1' } })).json();
    const vm: number = registered.instance.id;
    const moved = await (await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: registered.registry.version, lifecycle_state: 'quarantined' } })).json();
    await platform.api(`/api/servers/${server.id}/vm/stop`, { method: 'POST', json: {} });
    await waitFor(() => vmView(platform, server.id), (view) => view.instance?.terminated_at !== null && view.server_status === 'stopped');

    const stream = await platform.api('/api/trust/remediation/stream');
    expect(stream.status).toBe(200);
    const materialise = createRemediationMaterialiseHandler({ db: platform.clients.db, approvalTtlSeconds: 3600 });
    expect(await materialise({ history_id: moved.history.id, vm_instance_id: vm, owner_id: 'acme' })).toEqual({ skipped: 'instance-terminated' });
    const [event] = await readEvents(stream, 1);
    expect(event).toMatchObject({ event: 'run.skipped', data: { vm_instance_id: vm, history_id: moved.history.id, reason: 'instance-terminated', instance_status: 'stopped' } });
    expect((await (await platform.api(`/api/trust/remediation/runs?vm_instance_id=${vm}`)).json()).items).toEqual([]);
  });
});
