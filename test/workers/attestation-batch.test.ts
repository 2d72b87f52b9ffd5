// Batched ingest with real components: concurrent attestations share accept groups (one transaction and one job
// per group) and are applied many per transaction once workers start — one outcome per digest, registry versions
// without gaps, stream events in history order, every outbox row done and no job left waiting — and a replayed
// nonce or stale evidence is still rejected alone, as the one-by-one path records it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestationIngestQueue } from '../../queues/attestation-ingest.ts';
import { startWorkers, type Running } from '../../platform.ts';
import { doorbellsSettled } from '../../sql/transact.ts';
import { createInstance } from '../remediation/support.ts';
import { startTestPlatform, tenantAdmin, verifier, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

const pipeline = ['attestation-ingest', 'trust-transition', 'scheduler-refresh', 'score-recompute', 'sse-fanout'];
let seq = 0;
const report = (vm: number, options: { nonce?: string; measurements?: Record<string, string>; observedAt?: Date } = {}) => ({
  vm_instance_id: vm,
  evidence: { measurements: options.measurements ?? { pcr0: 'aa' }, nonce: options.nonce ?? `batch-${process.pid}-${++seq}`, observed_at: (options.observedAt ?? new Date()).toISOString() },
  provenance: { verifier: 'snp-verifier', report_reference: `ref-${seq}` },
});

describe('batched attestation ingest', () => {
  let platform: TestPlatform;
  let workers: Running | undefined;
  beforeAll(async () => {
    // Workers start only once every report is accepted, so the inbox holds a backlog to batch.
    platform = await startTestPlatform({ workers: false, env: { ATTESTATION_BATCH_SIZE: '16', ATTESTATION_NONCE_MAX_AGE_SECONDS: '60' } });
  });
  afterAll(async () => {
    await workers?.close();
    await platform.close();
  });

  it('applies a backlog many per transaction with the one-by-one semantics', async () => {
    const vms = await Promise.all(Array.from({ length: 4 }, () => createInstance(platform, { quarantined: false })));
    const server = (await (await platform.api(`/api/trust/registry/${vms[0]}`)).json()).server_id as number;
    expect((await platform.api(`/api/servers/${server}/reference-measurements`, { method: 'PUT', json: { measurements: { pcr0: 'aa' } }, as: tenantAdmin() })).status).toBe(201);
    const post = async (body: unknown) => {
      const response = await platform.api('/api/trust/attestations', { method: 'POST', json: body, as: verifier() });
      expect(response.status).toBe(202);
      return (await response.json()) as { job_id: string; evidence_digest: string };
    };
    // Forty concurrent POSTs: they share accept groups (one transaction and one job each, at most 16 per group).
    const accepted = await Promise.all(Array.from({ length: 40 }, (_, index) => post(report(vms[index % vms.length]!))));
    // Same nonce, other evidence: a replay; and evidence older than the nonce window.
    const original = await post(report(vms[1]!, { nonce: 'batch-shared-nonce' }));
    const replay = await post(report(vms[1]!, { nonce: 'batch-shared-nonce', measurements: { pcr0: 'bb' } }));
    const stale = await post(report(vms[2]!, { observedAt: new Date(Date.now() - 120_000) }));
    const mismatch = await post(report(vms[0]!, { measurements: { pcr0: 'ff' } }));
    await doorbellsSettled(platform.clients.db);

    workers = await startWorkers(platform.clients, pipeline);
    const job = (id: string) => waitFor(async () => (await platform.api(`/api/trust/attestations/${id}`, { as: verifier() })).json(), (body) => body.state === 'completed' || body.state === 'failed', { timeoutMs: 60_000, what: `attestation ${id} decided` });
    for (const entry of [...accepted, original, mismatch]) expect(await job(entry.job_id)).toMatchObject({ state: 'completed', result: { duplicate: false } });
    expect(await job(replay.job_id)).toMatchObject({ state: 'failed', failed_reason: expect.stringContaining('replay') });
    expect(await job(stale.job_id)).toMatchObject({ state: 'failed', failed_reason: expect.stringContaining('nonce window') });
    expect(await job(mismatch.job_id)).toMatchObject({ result: { status: 'untrusted' } });

    const sql = platform.db.sql;
    // One history row per applied digest, versions 2, 3, … per instance without a gap, ids ascending with them.
    const history = await sql<{ vm_instance_id: number; registry_version: number; evidence_digest: string; created_at: Date }[]>`
      SELECT vm_instance_id, registry_version, evidence_digest, created_at FROM runtime_vm_trust_history
      WHERE vm_instance_id = ANY(${vms}::bigint[]) AND trigger = 'attestation' ORDER BY id`;
    expect(history).toHaveLength(accepted.length + 2);
    expect(new Set(history.map((row) => row.evidence_digest))).toEqual(new Set([...accepted, original, mismatch].map((entry) => entry.evidence_digest)));
    for (const vm of vms) {
      const versions = history.filter((row) => row.vm_instance_id === vm).map((row) => row.registry_version);
      expect(versions).toEqual(versions.map((_, index) => index + 2));
      const [current] = await sql<{ version: number }[]>`SELECT version FROM runtime_vm_trust_registry WHERE vm_instance_id = ${vm}`;
      expect(current?.version).toBe(versions.length + 1);
    }
    // Many outcomes shared a transaction (one now() per transaction).
    expect(new Set(history.map((row) => row.created_at.getTime())).size).toBeLessThan(history.length / 2);
    // The stream carries one event per history row, in history order.
    const events = await sql<{ id: string }[]>`
      SELECT payload->>'history_id' AS id FROM stream_events
      WHERE topic = 'trust-registry' AND payload->>'trigger' = 'attestation' AND (payload->>'vm_instance_id')::bigint = ANY(${vms}::bigint[]) ORDER BY id`;
    const ids = await sql<{ id: string }[]>`
      SELECT id::text FROM runtime_vm_trust_history WHERE vm_instance_id = ANY(${vms}::bigint[]) AND trigger = 'attestation' ORDER BY id`;
    expect(events).toEqual(ids);
    // The forty went in a few groups, each one job; every group's outbox row is done and no job is left waiting.
    const groups = await sql<{ job_id: string; n: number }[]>`
      SELECT job_id, count(*)::int AS n FROM attestation_inbox WHERE digest = ANY(${accepted.map((entry) => entry.evidence_digest)}::text[]) GROUP BY job_id`;
    expect(groups.length).toBeLessThan(accepted.length / 2);
    expect(Math.max(...groups.map((group) => group.n))).toBeLessThanOrEqual(16);
    const applied = groups.map((group) => group.job_id);
    await waitFor(() => sql<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE job_id = ANY(${applied}::text[]) AND done_at IS NULL`, (rows) => rows[0]?.n === 0, { what: 'every applied ingest outbox row done' });
    expect(await platform.clients.queues.get(attestationIngestQueue).getWaitingCount()).toBe(0);
    // A replayed nonce keeps the original's claim; the stale evidence claimed nothing.
    expect(await sql`SELECT evidence_digest FROM attestation_nonces WHERE nonce = 'batch-shared-nonce'`).toEqual([{ evidence_digest: original.evidence_digest }]);
  }, 120_000);

  it('refuses only the reports of an accept group whose instance is unknown or another owner\'s', async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const foreign = await createInstance(platform, { quarantined: false, owner: 'tenant-b' });
    const bodies = [...Array.from({ length: 10 }, () => report(vm)), report(foreign), report(987_654_321)];
    const responses = await Promise.all(bodies.map((body) => platform.api('/api/trust/attestations', { method: 'POST', json: body, as: verifier() })));
    expect(responses.map((response) => response.status)).toEqual([...Array(10).fill(202), 404, 404]);
    expect((await responses[10]!.json()).code).toBe('vm-instance-not-found');
    const rows = await platform.db.sql<{ vm_instance_id: string; n: number }[]>`
      SELECT vm_instance_id::text, count(*)::int AS n FROM attestation_inbox WHERE vm_instance_id = ANY(${[vm, foreign, 987_654_321]}::bigint[]) GROUP BY 1`;
    expect(rows).toEqual([{ vm_instance_id: String(vm), n: 10 }]);
  });

  it('records a batch request\'s reports in few groups and answers each, refused ones with their reason', async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const foreign = await createInstance(platform, { quarantined: false, owner: 'tenant-b' });
    const twice = report(vm);
    const reports = [...Array.from({ length: 45 }, () => report(vm)), twice, twice, report(foreign), report(987_654_321)];
    const response = await platform.api('/api/trust/attestations/batch', { method: 'POST', json: { reports }, as: verifier() });
    expect(response.status).toBe(202);
    const body = await response.json();
    expect(body).toMatchObject({ accepted: 47, refused: 2 });
    expect(body.results.slice(-2)).toEqual([
      expect.objectContaining({ status: 'refused', code: 'vm-instance-not-found', http_status: 404 }),
      expect.objectContaining({ status: 'refused', code: 'vm-instance-not-found', http_status: 404 }),
    ]);
    // The same evidence twice is one row; 46 rows in ceil(49 / 16) = 4 groups at most.
    expect(body.results[45].job_id).toBe(body.results[46].job_id);
    const groups = await platform.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM attestation_inbox WHERE vm_instance_id = ${vm} GROUP BY job_id`;
    expect(groups.reduce((sum, group) => sum + group.n, 0)).toBe(46);
    expect(groups.length).toBeLessThanOrEqual(4);
    expect(await platform.db.sql`SELECT 1 FROM attestation_inbox WHERE vm_instance_id = ${foreign}`).toHaveLength(0);
    const decided = await waitFor(async () => (await platform.api(`/api/trust/attestations/${body.results[45].job_id}`, { as: verifier() })).json(), (job) => job.state === 'completed', { timeoutMs: 60_000, what: 'a batch report decided' });
    // No references registered for this server: the built-in verifier cannot decide.
    expect(decided.result).toMatchObject({ duplicate: false, status: 'unknown' });
  });

  it.each([
    ['no report', { reports: [] }],
    ['a malformed report among good ones', { reports: [report(1), { vm_instance_id: 1, evidence: { nonce: 'short' } }] }],
    ['more than 1000 reports', { reports: Array.from({ length: 1001 }, () => report(1)) }],
  ])('answers 400 and records nothing for a batch with %s', async (_what, json) => {
    const before = await platform.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM attestation_inbox`;
    const response = await platform.api('/api/trust/attestations/batch', { method: 'POST', json, as: verifier() });
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe('validation-failed');
    expect(await platform.db.sql`SELECT count(*)::int AS n FROM attestation_inbox`).toEqual(before);
  });
});
