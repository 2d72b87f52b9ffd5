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

// Long enough that a renewal on this loaded machine answers well within the quarter lease a stall is given.
const LEASE_MS = 3000;
const heartbeatOf = async (runId: number) =>
  (await platform.db.sql<{ heartbeat_at: Date }[]>`SELECT heartbeat_at FROM runtime_vm_remediation_attempts WHERE run_id = ${runId} AND attempt = 1`)[0]!.heartbeat_at;

async function openLease(key: string) {
  const playbook = await createPlaybook(platform, shellPlaybook(key, 'true', { approval_required: true }));
  const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
  return (await openAttempt(platform.db.sql, run.id, 1, `job-${key}`, LEASE_MS))!;
}
const dbNow = async () => (await platform.db.sql<{ now: Date }[]>`SELECT now()`)[0]!.now;
const renewedAfter = (runId: number, at: Date) => waitFor(() => heartbeatOf(runId), (heartbeat) => heartbeat > at, { what: 'a renewal' });
const silent = pino({ level: 'silent' });

describe('the attempt lease keeper', () => {
  it('keeps an attempt whose lease it can still renew after an event-loop stall past half the lease', async () => {
    const lease = await openLease('lease-stall');
    const controller = new AbortController();
    const keeper = keepLease({ sql: platform.db.sql, logger: silent, leaseMs: LEASE_MS }, lease, controller);
    try {
      const stalledUntil = Date.now() + (LEASE_MS * 2) / 3;
      while (Date.now() < stalledUntil);
      await renewedAfter(lease.runId, await dbNow());
      expect(controller.signal.aborted).toBe(false);
    } finally {
      keeper.release();
    }
  });

  it('keeps renewing after the attempt was stopped, until released: the outcome is still to be recorded', async () => {
    const lease = await openLease('lease-after-abort');
    const controller = new AbortController();
    const keeper = keepLease({ sql: platform.db.sql, logger: silent, leaseMs: LEASE_MS }, lease, controller);
    try {
      controller.abort(new Error('job lock lost'));
      expect(await renewedAfter(lease.runId, await dbNow())).toBeInstanceOf(Date);
    } finally {
      keeper.release();
    }
  });
});
