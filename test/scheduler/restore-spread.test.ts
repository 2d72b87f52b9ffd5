// A fleet-wide restore must not stampede: 100 instances restored at once get their first refresh spread over the
// jitter window. Asserted on the scheduled times and the delayed jobs, not on wall-clock timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluationRefreshQueue } from '../../queues/evaluation-refresh.ts';
import type { RefreshSchedule } from '../../sql/refresh-schedules.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { seedInstance } from '../trust/fixtures.ts';
import { attested, trustEvent } from './support.ts';

const JITTER_MS = 60_000;
const FLEET = 100;
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({
    workers: ['trust-transition', 'scheduler-refresh'],
    env: { EVALUATION_REFRESH_INTERVAL_MS: '600000', EVALUATION_REFRESH_JITTER_MS: String(JITTER_MS) },
  });
});
afterAll(() => platform.close());

describe('restore spread', () => {
  it(`spreads the first refresh of ${FLEET} instances restored at once over the jitter window`, { timeout: 120_000 }, async () => {
    const vms: number[] = [];
    for (let i = 0; i < FLEET; i += 1) vms.push((await seedInstance(platform.db.sql)).vmInstanceId);
    // Fixture: every instance mid-remediation, its refresh paused (what the scheduler left after the quarantine).
    await platform.db.sql`UPDATE runtime_vm_trust_registry SET lifecycle_state = 'remediating', attestation_status = 'untrusted' WHERE vm_instance_id = ANY(${vms})`;
    await platform.db.sql`
      INSERT INTO evaluation_refresh_schedules (vm_instance_id, owner_id, server_id, state, scheduled_at)
      SELECT vm_instance_id, owner_id, server_id, 'remediating', now() - interval '1 day' FROM runtime_vm_trust_registry WHERE vm_instance_id = ANY(${vms})`;
    // The fleet-wide restore: trusted evidence for every instance at once.
    await Promise.all(vms.map((vm) => trustEvent(platform, vm, attested('trusted'))));
    const schedules = await waitFor(
      () => platform.db.sql<RefreshSchedule[]>`SELECT * FROM evaluation_refresh_schedules WHERE vm_instance_id = ANY(${vms}) AND state = 'scheduled'`,
      (rows) => rows.length === FLEET,
      { what: `${FLEET} resumed schedules`, timeoutMs: 90_000 },
    );
    const offsets = schedules.map((s) => s.next_refresh_at!.getTime() - s.scheduled_at.getTime());
    for (const offset of offsets) {
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(JITTER_MS);
    }
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(JITTER_MS / 2);
    expect(new Set(offsets).size).toBeGreaterThan(FLEET * 0.9);
    // No slice of a tenth of the window holds more than a quarter of the fleet.
    const buckets = new Array<number>(10).fill(0);
    for (const offset of offsets) buckets[Math.min(9, Math.floor((offset / JITTER_MS) * 10))]! += 1;
    expect(Math.max(...buckets)).toBeLessThanOrEqual(FLEET / 4);
    // The delayed jobs carry the same spread.
    const queue = platform.clients.queues.get(evaluationRefreshQueue);
    const jobs = await waitFor(() => Promise.all(schedules.map((s) => queue.getJob(s.job_id!))), (found) => found.every((job) => job !== undefined), { what: 'delayed refresh jobs', timeoutMs: 30_000 });
    const delays = jobs.map((job) => job!.opts.delay ?? 0);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(JITTER_MS / 2);
  });
});
