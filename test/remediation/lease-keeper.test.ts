import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAttempt } from '../../sql/remediation-attempts.ts';
import { keepLease } from '../../workers/remediation-lease.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(() => platform.close());

const LEASE_MS = 300;
const heartbeatOf = async (runId: number) =>
  (await platform.db.sql<{ heartbeat_at: Date }[]>`SELECT heartbeat_at FROM runtime_vm_remediation_attempts WHERE run_id = ${runId} AND attempt = 1`)[0]!.heartbeat_at;

describe('the attempt lease keeper', () => {
  it('stops the attempt after an event-loop stall past half the lease, and keeps renewing until released', async () => {
    const playbook = await createPlaybook(platform, shellPlaybook('lease-stall', 'true', { approval_required: true }));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    const lease = (await openAttempt(platform.db.sql, run.id, 1, 'job-lease-stall', LEASE_MS))!;
    const controller = new AbortController();
    const keeper = keepLease({ sql: platform.db.sql, logger: pino({ level: 'silent' }), leaseMs: LEASE_MS }, lease, controller);
    try {
      // A stall the keeper cannot tell from failing renewals: it must stop the attempt (its process may still run).
      const stalledUntil = Date.now() + LEASE_MS;
      while (Date.now() < stalledUntil);
      await new Promise((resolve) => controller.signal.addEventListener('abort', resolve, { once: true }));
      const now = (await platform.db.sql<{ now: Date }[]>`SELECT now()`)[0]!.now;
      // The holder still has its outcome to record: the lease it still holds stays its own.
      expect(await waitFor(() => heartbeatOf(run.id), (at) => at > now, { what: 'a renewal after the abort' })).toBeInstanceOf(Date);
    } finally {
      keeper.release();
    }
  });
});
