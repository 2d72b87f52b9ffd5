import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, tenantAdmin, verifier, type TestPlatform } from '../support/platform.ts';
import { until } from './sse-client.ts';

const trustQueues = ['attestation-ingest', 'trust-transition', 'scheduler-refresh', 'score-recompute', 'sse-fanout'];
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: trustQueues });
});
afterAll(() => platform.close());

let seq = 0;
async function newInstance(owner = 'acme') {
  seq += 1;
  const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: `api-${seq}`, image: 'img:1' }, as: { owner } })).json();
  const created = await platform.api(`/api/servers/${server.id}/vm-instances`, { method: 'POST', json: { domain_name: `dom-${seq}` }, as: { owner } });
  expect(created.status).toBe(201);
  const { instance } = await created.json();
  return { serverId: server.id as number, vm: instance.id as number };
}
const report = (vm: number, measurements: Record<string, string>, nonce = `nonce-${Math.random().toString(36).slice(2)}`) => ({
  vm_instance_id: vm,
  evidence: { measurements, nonce, observed_at: new Date().toISOString() },
  provenance: { verifier: 'snp-verifier', report_reference: 's3://reports/1' },
});
const attest = (body: unknown) => platform.api('/api/trust/attestations', { method: 'POST', json: body, as: verifier() });
const registry = async (vm: number) => (await platform.api(`/api/trust/registry/${vm}`)).json();
const atVersion = (vm: number, version: number) => until(async () => { const row = await registry(vm); return row.version >= version && row; });

describe('trust control plane API', () => {
  it('registers an instance with a pending registry entry and version 1', async () => {
    const { vm, serverId } = await newInstance();
    expect(await registry(vm)).toMatchObject({ vm_instance_id: vm, server_id: serverId, lifecycle_state: 'pending', attestation_status: 'unknown', version: 1, stale: false });
  });

  it('guards reference measurements with a version', async () => {
    const { serverId } = await newInstance();
    const put = (json: unknown) => platform.api(`/api/servers/${serverId}/reference-measurements`, { method: 'PUT', json, as: tenantAdmin() });
    expect((await put({ measurements: { pcr0: 'aa' } })).status).toBe(201);
    const conflict = await put({ measurements: { pcr0: 'bb' } });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ code: 'version-conflict', current_version: 1 });
    expect(await (await put({ measurements: { pcr0: 'bb' }, version: 1 })).json()).toMatchObject({ version: 2, measurements: { pcr0: 'bb' } });
    expect((await put({ measurements: { pcr0: 'not hex' } })).status).toBe(400);
  });

  it('ingests a matching report as trusted with provenance, and records the same evidence once', async () => {
    const { vm, serverId } = await newInstance();
    await platform.api(`/api/servers/${serverId}/reference-measurements`, { method: 'PUT', json: { measurements: { pcr0: 'aa', pcr1: 'bb' } }, as: tenantAdmin() });
    const body = report(vm, { pcr0: 'AA', pcr1: 'bb' });
    const accepted = await attest(body);
    expect(accepted.status).toBe(202);
    const { job_id } = await accepted.json();
    expect(await atVersion(vm, 2)).toMatchObject({ lifecycle_state: 'trusted', attestation_status: 'trusted', provenance: { verifier: 'snp-verifier' } });
    const again = await attest(body);
    expect((await again.json()).job_id).toBe(job_id);
    await until(async () => (await (await platform.api(`/api/trust/attestations/${job_id}`)).json()).state === 'completed');
    const history = await (await platform.api(`/api/trust/registry/${vm}/history`)).json();
    expect(history.items).toHaveLength(2);
    expect(history.items[0]).toMatchObject({ registry_version: 2, verifier: 'snp-verifier', report_reference: 's3://reports/1', trigger: 'attestation' });
  });

  it('judges mismatched measurements untrusted and rejects a replayed nonce', async () => {
    const { vm, serverId } = await newInstance();
    await platform.api(`/api/servers/${serverId}/reference-measurements`, { method: 'PUT', json: { measurements: { pcr0: 'aa' } }, as: tenantAdmin() });
    await attest(report(vm, { pcr0: 'aa' }, 'nonce-trusted-1'));
    await atVersion(vm, 2);
    await attest(report(vm, { pcr0: 'ff' }));
    expect(await atVersion(vm, 3)).toMatchObject({ lifecycle_state: 'suspect', attestation_status: 'untrusted' });
    const replay = await (await attest(report(vm, { pcr0: 'aa' }, 'nonce-trusted-1'))).json();
    const job = await until(async () => { const j = await (await platform.api(`/api/trust/attestations/${replay.job_id}`)).json(); return j.state === 'failed' && j; });
    expect(job.failed_reason).toContain('attestation-rejected');
    expect((await registry(vm)).version).toBe(3);
  });

  it('answers 400 for a malformed report and writes nothing', async () => {
    const { vm } = await newInstance();
    const response = await attest({ vm_instance_id: vm, evidence: { measurements: { pcr0: 'zz' }, nonce: 'x' } });
    expect(response.status).toBe(400);
    expect((await response.json()).errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.evidence.measurements.pcr0', 'body.evidence.nonce', 'body.evidence.observed_at', 'body.provenance']);
    expect(await platform.db.sql`SELECT 1 FROM attestation_nonces WHERE vm_instance_id = ${vm}`).toHaveLength(0);
    expect((await registry(vm)).version).toBe(1);
  });

  it.each([
    ['a transition without a version', (vm: number) => [`/api/trust/registry/${vm}/transition`, 'POST', { lifecycle_state: 'quarantined' }], 'body.version'],
    ['a transition to an unknown state', (vm: number) => [`/api/trust/registry/${vm}/transition`, 'POST', { version: 1, lifecycle_state: 'broken' }], 'body.lifecycle_state'],
    ['references that are not hex', (_vm: number, server: number) => [`/api/servers/${server}/reference-measurements`, 'PUT', { measurements: { pcr0: 'xyz' } }], 'body.measurements.pcr0'],
    ['an instance with a negative size', (_vm: number, server: number) => [`/api/servers/${server}/vm-instances`, 'POST', { domain_name: 'n', memory_mib: -1 }], 'body.memory_mib'],
  ] as const)('answers 400 naming the field for %s, and writes nothing', async (_name, request, field) => {
    const { vm, serverId } = await newInstance();
    const [path, method, json] = request(vm, serverId) as [string, string, unknown];
    const before = await platform.db.sql`SELECT (SELECT count(*) FROM runtime_vm_trust_history) AS h, (SELECT count(*) FROM runtime_vm_instances) AS i, (SELECT count(*) FROM server_reference_measurements) AS m, (SELECT count(*) FROM outbox) AS o`;
    const response = await platform.api(path, { method, json, ...(path.includes('reference') ? { as: tenantAdmin() } : {}) });
    expect(response.status).toBe(400);
    expect((await response.json()).errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await platform.db.sql`SELECT (SELECT count(*) FROM runtime_vm_trust_history) AS h, (SELECT count(*) FROM runtime_vm_instances) AS i, (SELECT count(*) FROM server_reference_measurements) AS m, (SELECT count(*) FROM outbox) AS o`).toEqual(before);
    expect((await registry(vm)).version).toBe(1);
  });

  it('applies operator transitions with 409 on a stale version and 422 when illegal', async () => {
    const { vm } = await newInstance();
    const transition = (json: unknown) => platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json });
    const stale = await transition({ version: 9, lifecycle_state: 'quarantined' });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: 'version-conflict', current_version: 1 });
    const illegal = await transition({ version: 1, lifecycle_state: 'trusted' });
    expect(illegal.status).toBe(422);
    expect((await illegal.json()).code).toBe('illegal-transition');
    const ok = await transition({ version: 1, lifecycle_state: 'quarantined', reason: 'suspicious egress' });
    expect(await ok.json()).toMatchObject({ registry: { version: 2, lifecycle_state: 'quarantined' }, history: { actor: 'alice', reason: 'suspicious egress', trigger: 'operator' } });
  });

  it('reacts to a quarantine: refresh paused, score recomputed, remediation hook queued', async () => {
    const { vm, serverId } = await newInstance();
    const { history } = await (await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'quarantined' } })).json();
    const plan = await until(async () => {
      const [row] = await platform.db.sql`SELECT refresh_paused, status FROM evaluation_certifications WHERE server_id = ${serverId}`;
      return row?.refresh_paused && row;
    });
    expect(plan.status).toBe('paused');
    const score = await until(async () => (await platform.db.sql`SELECT score::float AS score FROM capability_intelligence_scores WHERE server_id = ${serverId}`)[0]);
    expect(score.score).toBe(30);
    const hook = await platform.clients.queues.get('remediation-materialise').getJob(`quarantine-${history.id}`);
    expect(hook?.data).toEqual({ history_id: history.id, vm_instance_id: vm, owner_id: 'acme' });
    await until(async () => (await platform.db.sql`SELECT reacted_at FROM runtime_vm_trust_history WHERE id = ${history.id}`)[0]?.reacted_at);
  });

  it('rings an ids-only NOTIFY after each committed transition', async () => {
    const { vm } = await newInstance();
    const payloads: string[] = [];
    const listener = await platform.db.sql.listen('runtime_vm_trust_transition', (payload) => payloads.push(payload));
    const { history } = await (await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'quarantined' } })).json();
    const payload = await until(async () => payloads.find((p) => JSON.parse(p).history_id === history.id));
    await listener.unlisten();
    expect(JSON.parse(payload)).toEqual({ history_id: history.id, vm_instance_id: vm, registry_version: 2 });
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
  });

  it('filters and pages the registry list', async () => {
    const owner = 'lister';
    const a = await newInstance(owner);
    const b = await newInstance(owner);
    await platform.api(`/api/trust/registry/${b.vm}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'quarantined' }, as: { owner } });
    const list = async (query: string) => (await (await platform.api(`/api/trust/registry?${query}`, { as: { owner } })).json());
    expect((await list('lifecycle_state=quarantined')).items.map((i: { vm_instance_id: number }) => i.vm_instance_id)).toEqual([b.vm]);
    expect((await list(`server_id=${a.serverId}`)).items.map((i: { vm_instance_id: number }) => i.vm_instance_id)).toEqual([a.vm]);
    expect((await list('stale=true')).items).toEqual([]);
    await platform.db.sql`UPDATE runtime_vm_trust_registry SET freshness_deadline = now() - interval '1 hour' WHERE vm_instance_id = ${a.vm}`;
    expect((await list('stale=true')).items.map((i: { vm_instance_id: number }) => i.vm_instance_id)).toEqual([a.vm]);
    const first = await list('limit=1');
    expect(first.items).toHaveLength(1);
    expect((await list(`limit=1&cursor=${first.next_cursor}`)).items[0].vm_instance_id).toBe(b.vm);
    expect((await platform.api('/api/trust/registry?lifecycle_state=bogus', { as: { owner } })).status).toBe(400);
  });

  it('documents every trust route in /openapi.json', async () => {
    const { paths } = (await (await fetch(`${platform.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(paths)).toEqual(expect.arrayContaining([
      '/api/trust/registry', '/api/trust/registry/stream', '/api/trust/registry/{vm_instance_id}', '/api/trust/registry/{vm_instance_id}/history',
      '/api/trust/registry/{vm_instance_id}/transition', '/api/trust/attestations', '/api/trust/attestations/{job_id}',
      '/api/servers/{id}/vm-instances', '/api/servers/{id}/reference-measurements',
    ]));
  });

  it('answers 404 for another owner on every route', async () => {
    const { vm, serverId } = await newInstance('tenant-a');
    const asB = { as: { owner: 'tenant-b' } };
    expect((await platform.api(`/api/trust/registry/${vm}`, asB)).status).toBe(404);
    expect((await platform.api(`/api/trust/registry/${vm}/history`, asB)).status).toBe(404);
    expect((await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'retired' }, ...asB })).status).toBe(404);
    expect((await platform.api('/api/trust/attestations', { method: 'POST', json: report(vm, { pcr0: 'aa' }), as: verifier('tenant-b') })).status).toBe(404);
    expect((await platform.api(`/api/servers/${serverId}/vm-instances`, { method: 'POST', json: { domain_name: 'x' }, ...asB })).status).toBe(404);
    expect((await platform.api(`/api/servers/${serverId}/reference-measurements`, { method: 'PUT', json: { measurements: { a: 'aa' } }, as: tenantAdmin('tenant-b') })).status).toBe(404);
    await platform.api(`/api/servers/${serverId}/reference-measurements`, { method: 'PUT', json: { measurements: { a: 'aa' } }, as: tenantAdmin('tenant-a') });
    expect((await platform.api(`/api/servers/${serverId}/reference-measurements`, asB)).status).toBe(404);
    const accepted = await (await platform.api('/api/trust/attestations', { method: 'POST', json: report(vm, { a: 'aa' }), as: verifier('tenant-a') })).json();
    expect((await platform.api(`/api/trust/attestations/${accepted.job_id}`, asB)).status).toBe(404);
    expect((await platform.api(`/api/trust/registry?server_id=${serverId}`, asB)).status).toBe(200);
    expect((await (await platform.api('/api/trust/registry', asB)).json()).items).toEqual([]);
    expect((await registry(vm)).code).toBe('vm-instance-not-found');
  });
});
