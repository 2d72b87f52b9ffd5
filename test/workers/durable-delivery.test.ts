// Durable delivery with real components: accepted attestations and queued runs survive a Redis restart without
// persistence (each 202 has exactly one outcome, the run executes once), a recreated database on the same Redis
// prefix dispatches its first run, and a row re-relayed after its completed job left Redis does not apply twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestationIngestQueue } from '../../queues/attestation-ingest.ts';
import { startWorkers, type Running } from '../../platform.ts';
import { doorbellsSettled } from '../../sql/transact.ts';
import { createOutboxRelay } from '../../workers/outbox-relay.ts';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from '../remediation/support.ts';
import { startTestPlatform, uniquePrefix, verifier, type TestPlatform } from '../support/platform.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';
import { waitFor } from '../support/wait.ts';

const pipeline = ['attestation-ingest', 'trust-transition', 'scheduler-refresh', 'score-recompute', 'sse-fanout', 'remediation-execute', 'remediation-deadline'];
const workdir = `/tmp/mcp-durable-test-${process.pid}`;
let seq = 0;
const report = (vm: number) => ({
  vm_instance_id: vm,
  evidence: { measurements: { pcr0: 'aa' }, nonce: `durable-${process.pid}-${++seq}`, observed_at: new Date().toISOString() },
  provenance: { verifier: 'snp-verifier' },
});
const outcomesByDigest = (platform: TestPlatform) =>
  platform.db.sql<{ digest: string; count: number }[]>`
    SELECT provenance->>'evidence_digest' AS digest, count(*)::int AS count FROM runtime_vm_trust_history
    WHERE provenance ? 'evidence_digest' GROUP BY 1`;

async function postAll(platform: TestPlatform, vms: number[], count: number): Promise<string[]> {
  const digests: string[] = [];
  for (let start = 0; start < count; start += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - start) }, async (_, index) => {
        const response = await platform.api('/api/trust/attestations', { method: 'POST', json: report(vms[(start + index) % vms.length]!), as: verifier() });
        expect(response.status).toBe(202);
        return (await response.json()).evidence_digest as string;
      }),
    );
    digests.push(...batch);
  }
  return digests;
}

describe('durable delivery across a Redis restart', () => {
  let redis: PrivateRedis;
  let platform: TestPlatform;
  let workers: Running | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    // No workers yet: every accepted job waits in Redis, enqueued by the fast path, when Redis goes away.
    platform = await startTestPlatform({ workers: false, env: { REDIS_URL: redis.url, OUTBOX_RECHECK_SECONDS: '1', REMEDIATION_WORKDIR: workdir } });
  });
  afterAll(async () => {
    await workers?.close();
    await platform.close();
    await redis.stop();
  });

  it('gives every 202 exactly one outcome and runs a waiting run once', async () => {
    const vms = await Promise.all(Array.from({ length: 10 }, () => createInstance(platform, { quarantined: false })));
    const digests = await postAll(platform, vms, 520);
    const playbook = await createPlaybook(platform, shellPlaybook('durable-once', 'echo ran once'));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    await doorbellsSettled(platform.clients.db);
    // The fast path marked what it enqueued: nothing is left for the relay to add a second time.
    expect(await platform.db.sql`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`).toEqual([{ n: 0 }]);
    // Concurrent POSTs shared accept groups: fewer jobs than attestations, every digest carried by exactly one.
    const waiting = await platform.clients.queues.get(attestationIngestQueue).getWaiting(0, -1);
    const carried = waiting.flatMap((job) => (job.data as { reports: { report_id: string }[] }).reports.map((report) => report.report_id));
    expect(waiting.length).toBeLessThan(520);
    expect(carried.sort()).toEqual([...digests].sort());

    await redis.restart();
    expect(await platform.clients.queues.get(attestationIngestQueue).getWaitingCount()).toBe(0);
    // The inbox row answers while Redis has lost the job.
    const lost = await platform.api(`/api/trust/attestations/attest-${digests[0]}`, { as: verifier() });
    expect(await lost.json()).toMatchObject({ state: 'waiting' });

    workers = await startWorkers(platform.clients, pipeline);
    const outcomes = await waitFor(() => outcomesByDigest(platform), (rows) => rows.length === digests.length, { timeoutMs: 120_000, what: 'an outcome per accepted attestation' });
    expect(outcomes.every((row) => row.count === 1)).toBe(true);
    expect(new Set(outcomes.map((row) => row.digest))).toEqual(new Set(digests));
    const done = await waitForRun<{ status: string; attempt: number }>(platform, run.id, (row) => row.status === 'succeeded', 60_000);
    expect(done.attempt).toBe(1);
    const ledger = (await (await platform.api(`/api/trust/remediation/runs/${run.id}`)).json()).retry_ledger;
    expect(ledger).toHaveLength(1);
    const answered = await (await platform.api(`/api/trust/attestations/attest-${digests[0]}`, { as: verifier() })).json();
    expect(answered).toMatchObject({ state: 'completed', result: { duplicate: false } });
  }, 240_000); // 520 ingests and their reactions on a shared 2-core machine
});

describe('a recreated database on the same Redis prefix', () => {
  it('dispatches its first run', async () => {
    const prefix = uniquePrefix();
    const databaseName = `mcp_test_recreated_${process.pid}`;
    const firstRun = async () => {
      const platform = await startTestPlatform({ workers: ['remediation-execute', 'remediation-deadline'], env: { QUEUE_PREFIX: prefix, REMEDIATION_WORKDIR: workdir }, databaseName });
      try {
        const playbook = await createPlaybook(platform, shellPlaybook('first', 'echo first'));
        const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
        return { id: run.id as number, ...(await waitForRun<{ status: string }>(platform, run.id, (row) => row.status === 'succeeded')) };
      } finally {
        await platform.close(); // drops the database
      }
    };
    const before = await firstRun();
    const after = await firstRun();
    // Same ids, same job ids, same Redis keys but for the epoch: the second database's run is not mistaken for the first's.
    expect(after.id).toBe(before.id);
    expect(after.status).toBe('succeeded');
  });
});

describe('a re-relayed row after retention expiry', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ workers: ['attestation-ingest', 'trust-transition', 'scheduler-refresh', 'score-recompute', 'sse-fanout'] });
  });
  afterAll(() => platform.close());

  it('does not apply its attestation twice', async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const [digest] = await postAll(platform, [vm], 1);
    const [row] = await platform.db.sql<{ job_id: string }[]>`SELECT job_id FROM attestation_inbox WHERE digest = ${digest!}`;
    const jobId = row!.job_id;
    const doneRow = () => platform.db.sql<{ done: boolean }[]>`SELECT done_at IS NOT NULL AS done FROM outbox WHERE job_id = ${jobId}`;
    await waitFor(doneRow, (rows) => rows[0]?.done === true, { what: 'the ingest job marked done' });
    const [registry] = await platform.db.sql<{ version: number }[]>`SELECT version FROM runtime_vm_trust_registry WHERE vm_instance_id = ${vm}`;

    const queue = platform.clients.queues.get(attestationIngestQueue);
    expect(await queue.remove(jobId)).toBe(1); // retention expired
    await platform.db.sql`UPDATE outbox SET done_at = NULL, relayed_at = now() - interval '1 hour' WHERE job_id = ${jobId}`;
    const relay = createOutboxRelay({ sql: platform.db.sql, queues: platform.clients.queues, logger: platform.clients.logger, sweepMs: 60_000, recheckSeconds: 1 });
    // This relay or the platform's own (its leader rechecks too) adds the job again; either way it runs once more.
    await relay.recheck();
    await waitFor(doneRow, (rows) => rows[0]?.done === true, { what: 'the re-relayed job marked done' });

    expect((await queue.getJob(jobId))?.returnvalue).toEqual({ applied: 1, rejected: 0 });
    expect((await outcomesByDigest(platform)).filter((row) => row.digest === digest)).toEqual([{ digest, count: 1 }]);
    expect(await platform.db.sql`SELECT version FROM runtime_vm_trust_registry WHERE vm_instance_id = ${vm}`).toEqual([registry]);
  });
});
