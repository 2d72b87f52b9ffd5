import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSse } from '../trust/sse-client.ts';
import { createInstance, createPlaybook, shellPlaybook } from '../remediation/support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['sse-fanout'] });
});
afterAll(() => platform.close());

const serverOf = async (vm: number) => (await platform.db.sql<{ server_id: number }[]>`SELECT server_id::int FROM runtime_vm_instances WHERE id = ${vm}`)[0]!.server_id;
const count = async (table: string) => (await platform.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${platform.db.sql(table)}`)[0]!.n;
const evaluate = async (serverId: number) => (await platform.api(`/api/servers/${serverId}/placement/evaluate`, { method: 'POST' })).json();

describe('accelerator posture', () => {
  it('a recorded failing posture vetoes placement with a per-accelerator reason; recovery clears it', async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const serverId = await serverOf(vm);
    const put = await platform.api(`/api/trust/registry/${vm}/accelerators`, { method: 'PUT', json: { accelerator_id: 'gpu-1', kind: 'nvidia-h100', posture: 'degraded', policy_feedback: ['ecc-errors'], metadata: { slot: 3 } } });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ vm_instance_id: vm, accelerator_id: 'gpu-1', kind: 'nvidia-h100', posture: 'degraded', policy_feedback: ['ecc-errors'], metadata: { slot: 3 } });
    await platform.api(`/api/trust/registry/${vm}/accelerators`, { method: 'PUT', json: { accelerator_id: 'gpu-0', kind: 'nvidia-h100', posture: 'compliant' } });
    const listed = await (await platform.api(`/api/trust/registry/${vm}/accelerators`)).json();
    expect(listed.items.map((a: { accelerator_id: string; posture: string }) => `${a.accelerator_id}:${a.posture}`)).toEqual(['gpu-0:compliant', 'gpu-1:degraded']);
    expect(await evaluate(serverId)).toMatchObject({ allow: false, veto_check: 'accelerator-posture', gate: 'accelerator:gpu-1', reason: 'accelerator gpu-1 (nvidia-h100) is degraded: ecc-errors' });
    await platform.api(`/api/trust/registry/${vm}/accelerators`, { method: 'PUT', json: { accelerator_id: 'gpu-1', kind: 'nvidia-h100', posture: 'healthy' } });
    expect(await evaluate(serverId)).toMatchObject({ allow: true, gate: 'clear' });
  });

  it('ingests accelerator fixtures from run and scenario metadata: posture rows, the stream\'s accelerators and policy_gate, and the placement veto', async () => {
    const vm = await createInstance(platform);
    const playbook = await createPlaybook(platform, shellPlaybook('gated-fixtures', 'true', { approval_required: true }));
    const metadata = {
      accelerators: [{ accelerator_id: 'gpu-0', kind: 'nvidia-h100', posture: 'quarantined', policy_feedback: ['firmware-drift'] }],
      scenario: { accelerators: [{ accelerator_id: 'fpga-0', kind: 'xilinx-u250', posture: 'compliant' }] },
    };
    const created = await platform.api('/api/trust/remediation/runs', { method: 'POST', json: { playbook_id: playbook.id, vm_instance_id: vm, metadata } });
    expect(created.status).toBe(201);
    const run = await created.json();
    const rows = await platform.db.sql`SELECT accelerator_id, posture FROM runtime_vm_accelerator_posture WHERE vm_instance_id = ${vm} ORDER BY accelerator_id`;
    expect(rows).toEqual([{ accelerator_id: 'fpga-0', posture: 'compliant' }, { accelerator_id: 'gpu-0', posture: 'quarantined' }]);

    const reader = await openSse(`${platform.url}/api/trust/remediation/stream?run_id=${run.id}`, await platform.token());
    const [event] = await reader.next(1, 15_000);
    reader.close();
    expect(event!.event).toBe('run.created');
    expect(event!.data.accelerators).toEqual([
      { accelerator_id: 'fpga-0', kind: 'xilinx-u250', posture: 'compliant', policy_feedback: [] },
      { accelerator_id: 'gpu-0', kind: 'nvidia-h100', posture: 'quarantined', policy_feedback: ['firmware-drift'] },
    ]);
    expect(event!.data.policy_gate).toMatchObject({
      blocked: true,
      hooks: [`policy_hook:remediation_gate=active-run:${run.id}`, 'policy_hook:accelerator_gate=accelerator:gpu-0'],
      accelerators: [{ accelerator_id: 'gpu-0', posture: 'quarantined', reasons: ['firmware-drift'], placement_reason: 'accelerator gpu-0 (nvidia-h100) is quarantined: firmware-drift' }],
    });
    const decision = await evaluate(await serverOf(vm));
    expect(decision.candidates[0].checks.find((c: { check: string }) => c.check === 'accelerator-posture')).toMatchObject({
      verdict: 'veto',
      class: 'transient',
      reason: 'accelerator gpu-0 (nvidia-h100) is quarantined: firmware-drift',
    });
  });

  it('a malformed fixture is a 400 naming the field, and neither the run nor any posture is written', async () => {
    const vm = await createInstance(platform);
    const playbook = await createPlaybook(platform, shellPlaybook('bad-fixtures', 'true', { approval_required: true }));
    const [runs, postures] = [await count('runtime_vm_remediation_runs'), await count('runtime_vm_accelerator_posture')];
    const response = await platform.api('/api/trust/remediation/runs', { method: 'POST', json: { playbook_id: playbook.id, vm_instance_id: vm, metadata: { accelerators: [{ accelerator_id: 'gpu-0', posture: 'ok' }] } } });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([expect.objectContaining({ path: 'body.metadata.accelerators.0.kind', code: 'invalid-accelerator-fixture' })]);
    expect([await count('runtime_vm_remediation_runs'), await count('runtime_vm_accelerator_posture')]).toEqual([runs, postures]);
  });

  it("answers 404 for another owner's instance and writes nothing", async () => {
    const vm = await createInstance(platform, { owner: 'globex' });
    const before = await count('runtime_vm_accelerator_posture');
    expect((await platform.api(`/api/trust/registry/${vm}/accelerators`, { method: 'PUT', json: { accelerator_id: 'gpu-0', kind: 'gpu', posture: 'ok' } })).status).toBe(404);
    expect((await platform.api(`/api/trust/registry/${vm}/accelerators`)).status).toBe(404);
    expect(await count('runtime_vm_accelerator_posture')).toBe(before);
  });
});

describe('build artifact runs', () => {
  const digest = `sha256:${'b'.repeat(64)}`;

  it('records runs per server, newest first, deriving the duration from the timestamps', async () => {
    const serverId = await serverOf(await createInstance(platform, { quarantined: false }));
    const first = await platform.api(`/api/servers/${serverId}/build-artifacts`, { method: 'POST', json: { manifest_digest: digest, manifest_tag: 'v1', registry_image: 'ghcr.io/acme/mcp:v1', status: 'succeeded', started_at: '2026-01-01T10:00:00Z', completed_at: '2026-01-01T10:02:30Z' } });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ server_id: serverId, manifest_digest: digest, manifest_tag: 'v1', registry_image: 'ghcr.io/acme/mcp:v1', status: 'succeeded', completed_at: '2026-01-01T10:02:30.000Z', duration_seconds: 150 });
    await platform.api(`/api/servers/${serverId}/build-artifacts`, { method: 'POST', json: { manifest_digest: digest, manifest_tag: 'v2', status: 'running' } });
    const page = await (await platform.api(`/api/servers/${serverId}/build-artifacts?limit=1`)).json();
    expect(page.items.map((r: { manifest_tag: string; duration_seconds: number | null }) => [r.manifest_tag, r.duration_seconds])).toEqual([['v2', null]]);
    const next = await (await platform.api(`/api/servers/${serverId}/build-artifacts?limit=1&cursor=${page.next_cursor}`)).json();
    expect(next.items.map((r: { manifest_tag: string }) => r.manifest_tag)).toEqual(['v1']);
  });

  it('refuses a malformed digest with a 400 and another owner\'s server with a 404, writing nothing', async () => {
    const serverId = await serverOf(await createInstance(platform, { quarantined: false }));
    const before = await count('build_artifact_runs');
    const bad = await platform.api(`/api/servers/${serverId}/build-artifacts`, { method: 'POST', json: { manifest_digest: 'latest' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0]).toMatchObject({ path: 'body.manifest_digest' });
    expect((await platform.api(`/api/servers/${serverId}/build-artifacts`, { method: 'POST', as: { owner: 'globex' }, json: { manifest_digest: digest } })).status).toBe(404);
    expect((await platform.api(`/api/servers/${serverId}/build-artifacts`, { as: { owner: 'globex' } })).status).toBe(404);
    expect(await count('build_artifact_runs')).toBe(before);
  });
});

describe('intelligence', () => {
  it('serves the score with penalties summing to 100 − score, and 404 to another owner', async () => {
    const vm = await createInstance(platform);
    const serverId = await serverOf(vm);
    const view = await (await platform.api(`/api/servers/${serverId}/intelligence`)).json();
    expect(view).toMatchObject({ server_id: serverId, capability: 'runtime', stored: false });
    expect(view.penalties.map((p: { cause: string }) => p.cause)).toEqual(expect.arrayContaining(['lifecycle', 'attestation', 'provenance-gap']));
    expect(view.penalties.reduce((sum: number, p: { points: number }) => sum + p.points, 0)).toBeCloseTo(100 - view.score, 5);
    expect((await platform.api(`/api/servers/${serverId}/intelligence`, { as: { owner: 'globex' } })).status).toBe(404);
  });
});
