import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertAcceleratorPosture } from '../../sql/remediation-accelerators.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { newServer as newPolicyServer } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

const newServer = () => newPolicyServer(platform);
const evaluate = async (serverId: number) => (await platform.api(`/api/servers/${serverId}/placement/evaluate`, { method: 'POST' })).json();
const overrideCount = async () => (await platform.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM placement_overrides`)[0]!.n;

describe('placement decisions', () => {
  it('records each check verdict per candidate with the registry version read and renders the notes from it', async () => {
    const { serverId, vm } = await newServer();
    const decision = await evaluate(serverId);
    expect(decision).toMatchObject({ allow: true, gate: 'clear', chosen_vm_instance_id: vm, registry_versions: { [String(vm)]: 1 }, purpose: 'evaluate' });
    expect(decision.candidates[0].checks.map((c: { check: string; verdict: string }) => `${c.check}:${c.verdict}`)).toEqual([
      'trust-lifecycle:allow', 'remediation-gate:allow', 'freshness:allow', 'accelerator-posture:allow', 'tenant-policy:allow',
    ]);
    expect(decision.notes).toEqual(expect.arrayContaining(['vm:trust-lifecycle=pending', 'policy_hook:remediation_gate=clear']));
    const fetched = await (await platform.api(`/api/placement/decisions/${decision.decision_id}`)).json();
    expect(fetched).toEqual(decision);
    const listed = await (await platform.api(`/api/servers/${serverId}/placement/decisions`)).json();
    expect(listed.items.map((d: { decision_id: string }) => d.decision_id)).toEqual([decision.decision_id]);
    const foreign = await platform.api(`/api/placement/decisions/${decision.decision_id}`, { as: { owner: 'globex' } });
    expect(foreign.status).toBe(404);
  });

  it('a failing accelerator vetoes with a per-accelerator reason; an override of that transient veto allows and is recorded', async () => {
    const { serverId, vm } = await newServer();
    await upsertAcceleratorPosture(platform.db.sql, 'acme', vm, { accelerator_id: 'gpu-0', kind: 'nvidia-h100', posture: 'degraded', policy_feedback: ['firmware-outdated'], metadata: {} });
    const blocked = await evaluate(serverId);
    expect(blocked).toMatchObject({ allow: false, gate: 'accelerator:gpu-0', veto_check: 'accelerator-posture', veto_class: 'transient', reason: 'accelerator gpu-0 (nvidia-h100) is degraded: firmware-outdated' });
    expect(blocked.notes).toContain('policy_hook:remediation_gate=accelerator:gpu-0');
    const created = await platform.api(`/api/servers/${serverId}/placement/overrides`, { method: 'POST', json: { check: 'accelerator-posture', reason: 'vendor patch scheduled', ttl_seconds: 600 } });
    expect(created.status).toBe(201);
    const override = await created.json();
    expect(override).toMatchObject({ check: 'accelerator-posture', actor: 'alice', reason: 'vendor patch scheduled', active: true });
    const allowed = await evaluate(serverId);
    expect(allowed).toMatchObject({ allow: true, overrides_applied: [override.id] });
    expect(allowed.candidates[0].checks[3]).toMatchObject({ check: 'accelerator-posture', verdict: 'allow', overridden_by: override.id });
    expect(allowed.notes).toContain(`policy_hook:override=accelerator-posture:${override.id}`);
  });

  it('refuses to override a structural veto (quarantined) with a 422 problem and writes nothing', async () => {
    const { serverId, vm } = await newServer();
    await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'quarantined' } });
    const before = await overrideCount();
    const response = await platform.api(`/api/servers/${serverId}/placement/overrides`, { method: 'POST', json: { check: 'trust-lifecycle', reason: 'ship it', ttl_seconds: 60 } });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ code: 'override-refused', veto_class: 'structural', check: 'trust-lifecycle' });
    expect(await overrideCount()).toBe(before);
    expect(await evaluate(serverId)).toMatchObject({ allow: false, gate: 'quarantined', veto_class: 'structural' });
  });

  it('answers 404 for another owner\'s server on every placement route', async () => {
    const { serverId } = await newServer();
    const globex = { owner: 'globex' };
    expect((await platform.api(`/api/servers/${serverId}/placement/evaluate`, { method: 'POST', as: globex })).status).toBe(404);
    expect((await platform.api(`/api/servers/${serverId}/placement/decisions`, { as: globex })).status).toBe(404);
    expect((await platform.api(`/api/servers/${serverId}/placement/overrides`, { as: globex })).status).toBe(404);
    expect((await platform.api(`/api/servers/${serverId}/placement/overrides`, { method: 'POST', as: globex, json: { check: 'freshness', reason: 'x', ttl_seconds: 5 } })).status).toBe(404);
  });
});
