import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAttempts } from '../../sql/remediation-attempts.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { approver, createInstance, createPlaybook, enqueueRun, shellPlaybook } from './support.ts';

let platform: TestPlatform;
let gated: number;
let auto: number;
beforeAll(async () => {
  platform = await startTestPlatform();
  gated = (await createPlaybook(platform, shellPlaybook('gated', 'true', { approval_required: true, sla_duration_seconds: 900 }))).id;
  auto = (await createPlaybook(platform, shellPlaybook('auto', 'true'))).id;
});
afterAll(() => platform.close());

const runs = '/api/trust/remediation/runs';
const approve = (id: number, version: number, as = approver(), decision = 'approve') =>
  platform.api(`${runs}/${id}/approval`, { method: 'POST', json: { decision, version }, as });

describe('remediation runs', () => {
  it('creates an approval-gated run seeded pending with an SLA deadline', async () => {
    const vm = await createInstance(platform);
    const response = await enqueueRun(platform, gated, vm);
    expect(response.status).toBe(201);
    const run = await response.json();
    expect(run).toMatchObject({ status: 'pending', approval_state: 'pending', requested_by: 'alice', playbook_key: 'gated', retry_ledger: [] });
    expect(new Date(run.sla_deadline).getTime() - new Date(run.created_at).getTime()).toBeCloseTo(900_000, -3);
  });

  it('seeds an automation-ready run auto-approved and queued', async () => {
    const run = await (await enqueueRun(platform, auto, await createInstance(platform))).json();
    expect(run).toMatchObject({ status: 'queued', approval_state: 'auto-approved' });
    const [job] = await platform.db.sql`SELECT job_options FROM outbox WHERE queue = 'remediation-execute' AND payload ->> 'run_id' = ${String(run.id)}`;
    expect(job?.job_options).toMatchObject({ jobId: `remediation-run-${run.id}-1` });
  });

  it('answers 400 for an unknown playbook and writes nothing', async () => {
    const vm = await createInstance(platform);
    const response = await enqueueRun(platform, 999_999, vm);
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0]).toMatchObject({ path: 'body.playbook_id', code: 'unknown-playbook' });
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_runs WHERE vm_instance_id = ${vm}`;
    expect(row?.n).toBe(0);
  });

  it('answers 409 when the instance already has an active run', async () => {
    const vm = await createInstance(platform);
    const first = await (await enqueueRun(platform, gated, vm)).json();
    const second = await enqueueRun(platform, auto, vm);
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ code: 'active-run-exists', active_run_id: first.id });
  });

  it('lets exactly one of 20 concurrent submissions for one instance create a run', async () => {
    const vm = await createInstance(platform);
    const responses = await Promise.all(Array.from({ length: 20 }, () => enqueueRun(platform, gated, vm)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_runs WHERE vm_instance_id = ${vm}`;
    expect(row?.n).toBe(1);
  });

  it('refuses approval by the requester, by a non-approver, and with a stale version', async () => {
    const run = await (await enqueueRun(platform, gated, await createInstance(platform))).json();
    const own = await approve(run.id, run.version, approver('alice'));
    expect(own.status).toBe(403);
    expect((await own.json()).code).toBe('approval-not-allowed');
    expect((await platform.api(`${runs}/${run.id}/approval`, { method: 'POST', json: { decision: 'approve', version: 1 } })).status).toBe(403);
    const stale = await approve(run.id, run.version + 3);
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: 'version-conflict', current_version: run.version });
  });

  it('approves a run into the queue and records who approved', async () => {
    const run = await (await enqueueRun(platform, gated, await createInstance(platform))).json();
    const response = await approve(run.id, run.version);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'queued', approval_state: 'approved', approved_by: 'bob', version: run.version + 1 });
    const again = await approve(run.id, run.version + 1);
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('invalid-state');
  });

  it('denies a run, which ends it and frees the instance', async () => {
    const vm = await createInstance(platform);
    const run = await (await enqueueRun(platform, gated, vm)).json();
    expect(await (await approve(run.id, run.version, approver(), 'deny')).json()).toMatchObject({ status: 'denied', approval_state: 'denied' });
    expect((await enqueueRun(platform, gated, vm)).status).toBe(201);
  });

  it('answers 409 approval-expired once the approval window has passed', async () => {
    const run = await (await enqueueRun(platform, gated, await createInstance(platform))).json();
    await platform.db.sql`UPDATE runtime_vm_remediation_runs SET approval_expires_at = now() - interval '1 second' WHERE id = ${run.id}`;
    const response = await approve(run.id, run.version);
    expect(response.status).toBe(409);
    expect((await response.json()).code).toBe('approval-expired');
    const [row] = await platform.db.sql`SELECT status, approval_state FROM runtime_vm_remediation_runs WHERE id = ${run.id}`;
    expect(row).toEqual({ status: 'expired', approval_state: 'expired' });
  });

  it('cancels a run that is not executing at once, version-checked', async () => {
    const run = await (await enqueueRun(platform, gated, await createInstance(platform))).json();
    expect((await platform.api(`${runs}/${run.id}/cancel`, { method: 'POST', json: { version: 99 } })).status).toBe(409);
    const response = await platform.api(`${runs}/${run.id}/cancel`, { method: 'POST', json: { version: run.version, reason: 'not needed' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'cancelled', cancelled_by: 'alice', cancellation_reason: 'not needed', failure_class: 'cancelled' });
  });

  it('reports run state to the trust registry of a quarantined instance', async () => {
    const vm = await createInstance(platform);
    await enqueueRun(platform, gated, vm);
    const [registry] = await platform.db.sql`SELECT remediation_state, lifecycle_state FROM runtime_vm_trust_registry WHERE vm_instance_id = ${vm}`;
    expect(registry).toEqual({ remediation_state: 'awaiting-approval', lifecycle_state: 'quarantined' });
  });

  it('answers 404 for another owner on every run route and the stream', async () => {
    const run = await (await enqueueRun(platform, gated, await createInstance(platform))).json();
    const asB = { owner: 'tenant-b', roles: ['operator' as const, 'approver' as const], sub: 'mallory' };
    expect((await platform.api(`${runs}/${run.id}`, { as: asB })).status).toBe(404);
    expect((await platform.api(`${runs}/${run.id}/artifacts`, { as: asB })).status).toBe(404);
    expect((await platform.api(`${runs}/${run.id}/approval`, { method: 'POST', json: { decision: 'approve', version: run.version }, as: asB })).status).toBe(404);
    expect((await platform.api(`${runs}/${run.id}/cancel`, { method: 'POST', json: { version: run.version }, as: asB })).status).toBe(404);
    expect((await platform.api(`/api/trust/remediation/stream?run_id=${run.id}`, { as: asB })).status).toBe(404);
    expect((await enqueueRun(platform, gated, run.vm_instance_id, 'tenant-b')).status).toBe(400);
    expect((await (await platform.api(runs, { as: asB })).json()).items).toEqual([]);
    const own = await createPlaybook(platform, shellPlaybook('tenant-b-pb', 'true'), 'tenant-b');
    const foreign = await enqueueRun(platform, own.id, run.vm_instance_id, 'tenant-b');
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).code).toBe('vm-instance-not-found');
  });

  it('reads the retry ledger only for the owner of the run', async () => {
    const run = await (await enqueueRun(platform, auto, await createInstance(platform))).json();
    await platform.db.sql`INSERT INTO runtime_vm_remediation_attempts (run_id, attempt, status, idempotency_key) VALUES (${run.id}, 1, 'running', 'k')`;
    expect(await listAttempts(platform.db.sql, 'acme', run.id)).toHaveLength(1);
    expect(await listAttempts(platform.db.sql, 'tenant-b', run.id)).toEqual([]);
  });
});
