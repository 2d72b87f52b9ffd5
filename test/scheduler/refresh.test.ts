// The evaluation refresh scheduler end to end: real registry writer, reaction jobs, delayed BullMQ refresh jobs,
// the placement gate, and the stall sweep, at a short cadence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type Running } from '../../platform.ts';
import { evaluationRefreshQueue } from '../../queues/evaluation-refresh.ts';
import { upsertAcceleratorPosture } from '../../sql/remediation-accelerators.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { seedInstance } from '../trust/fixtures.ts';
import { waitFor } from '../support/wait.ts';
import { attested, readSchedule, trustEvent, waitForSchedule } from './support.ts';

const INTERVAL_MS = 600;
const JITTER_MS = 100;
let platform: TestPlatform;
let refreshWorker: Running | undefined;

beforeAll(async () => {
  platform = await startTestPlatform({
    workers: ['trust-transition', 'scheduler-refresh', 'score-recompute'],
    env: { EVALUATION_REFRESH_INTERVAL_MS: String(INTERVAL_MS), EVALUATION_REFRESH_JITTER_MS: String(JITTER_MS), EVALUATION_UNREACHABLE_BACKOFF_MAX_MS: '2400', EVALUATION_STALL_SWEEP_MS: '200', ATTESTATION_FRESHNESS_SECONDS: '3600' },
  });
  // The refresh worker runs on its own so that the stall test can stop it while the sweep keeps running.
  refreshWorker = await startWorkers(platform.clients, ['evaluation-refresh']);
});
afterAll(async () => {
  await refreshWorker?.close();
  await platform.close();
});

const queue = () => platform.clients.queues.get(evaluationRefreshQueue);

describe('evaluation refresh scheduler', () => {
  it('fires at the configured cadence, recording last attempt and last success', async () => {
    const { vmInstanceId } = await seedInstance(platform.db.sql);
    await trustEvent(platform, vmInstanceId, attested('trusted'));
    const first = await waitForSchedule(platform, vmInstanceId, (s) => s.last_attempt_at !== null, 'first refresh');
    expect(first).toMatchObject({ state: 'scheduled', last_outcome: 'fresh-evidence', consecutive_misses: 0 });
    expect(first.last_success_at).not.toBeNull();
    const second = await waitForSchedule(platform, vmInstanceId, (s) => s.last_attempt_at!.getTime() > first.last_attempt_at!.getTime(), 'second refresh');
    // The next refresh was due one interval (plus at most the jitter) after the attempt before it.
    const gap = first.next_refresh_at!.getTime() - first.last_attempt_at!.getTime();
    expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS);
    expect(gap).toBeLessThanOrEqual(INTERVAL_MS + JITTER_MS);
    expect(second.state).toBe('scheduled');
    const decisions = await platform.db.sql`SELECT purpose, allow FROM placement_decisions WHERE chosen_vm_instance_id = ${vmInstanceId} AND purpose = 'refresh'`;
    expect(decisions.length).toBeGreaterThanOrEqual(2);
  });

  it('an untrusted outcome moves the schedule to remediating and cancels the pending refresh; restore resumes it', async () => {
    const { vmInstanceId } = await seedInstance(platform.db.sql);
    await trustEvent(platform, vmInstanceId, attested('trusted'));
    const scheduled = await waitForSchedule(platform, vmInstanceId, (s) => s.job_id !== null && s.state === 'scheduled', 'scheduled');
    await trustEvent(platform, vmInstanceId, attested('untrusted'));
    const paused = await waitForSchedule(platform, vmInstanceId, (s) => s.state === 'remediating', 'remediating');
    expect(paused).toMatchObject({ next_refresh_at: null, job_id: null, last_outcome: 'paused:suspect' });
    await waitFor(() => queue().getJob(scheduled.job_id!), (job) => job === undefined || job.returnvalue?.skipped !== undefined || job.finishedOn !== undefined, { what: 'cancelled refresh gone' });
    const attemptsWhilePaused = (await readSchedule(platform, vmInstanceId))!.last_attempt_at;

    await trustEvent(platform, vmInstanceId, { kind: 'operator', target: 'quarantined' });
    await trustEvent(platform, vmInstanceId, { kind: 'operator', target: 'remediating' });
    expect((await readSchedule(platform, vmInstanceId))!.last_attempt_at).toEqual(attemptsWhilePaused);
    await trustEvent(platform, vmInstanceId, attested('trusted')); // remediating → restored
    const resumed = await waitForSchedule(platform, vmInstanceId, (s) => s.state === 'scheduled', 'resumed');
    await waitForSchedule(platform, vmInstanceId, (s) => s.last_attempt_at !== null && s.last_attempt_at.getTime() >= resumed.scheduled_at.getTime(), 'refresh after restore');
    // The first refresh after the restore was due within the jitter: its job, the first written after the pause (the
    // row read above may already be a later version, rescheduled by that refresh).
    const jobs = await queue().getJobs(['completed', 'failed', 'active', 'waiting', 'delayed']);
    const [first] = jobs
      .filter((job) => job.data.vm_instance_id === vmInstanceId && job.data.schedule_version > paused.version)
      .sort((a, b) => a.data.schedule_version - b.data.schedule_version);
    expect(first).toBeDefined();
    // A jitter of 0 is a job without a delay.
    const delay = first!.opts.delay ?? 0;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(JITTER_MS);
  });

  it('a placement veto stops dispatch: the refresh records the gate and waits a cadence', async () => {
    const { vmInstanceId } = await seedInstance(platform.db.sql);
    await upsertAcceleratorPosture(platform.db.sql, 'acme', vmInstanceId, { accelerator_id: 'gpu-0', kind: 'gpu', posture: 'degraded', policy_feedback: [], metadata: {} });
    await trustEvent(platform, vmInstanceId, attested('trusted'));
    const vetoed = await waitForSchedule(platform, vmInstanceId, (s) => s.last_attempt_at !== null, 'vetoed refresh');
    expect(vetoed).toMatchObject({ state: 'scheduled', last_outcome: 'vetoed:accelerator:gpu-0', last_success_at: null });
    const [decision] = await platform.db.sql`SELECT allow, notes FROM placement_decisions WHERE chosen_vm_instance_id = ${vmInstanceId} AND purpose = 'refresh' ORDER BY id LIMIT 1`;
    expect(decision).toMatchObject({ allow: false });
    expect(decision!.notes).toContain('policy_hook:remediation_gate=accelerator:gpu-0');
  });

  it('no evidence is unreachable, backing off, and distinct from untrusted', async () => {
    const { vmInstanceId } = await seedInstance(platform.db.sql, 'acme', 1);
    // Trusted evidence whose freshness window has already passed, and no evidence after it.
    await trustEvent(platform, vmInstanceId, { kind: 'attestation', status: 'trusted', observedAt: new Date(Date.now() - 5_000) }, { freshnessSeconds: 1 });
    const missed = await waitForSchedule(platform, vmInstanceId, (s) => s.consecutive_misses >= 2, 'two misses');
    expect(missed).toMatchObject({ state: 'unreachable', last_outcome: 'no-evidence' });
    const backoff = missed.next_refresh_at!.getTime() - missed.last_attempt_at!.getTime();
    expect(backoff).toBeGreaterThanOrEqual(Math.min(2400, INTERVAL_MS * 2 ** missed.consecutive_misses));
    const [registry] = await platform.db.sql`SELECT lifecycle_state, attestation_status FROM runtime_vm_trust_registry WHERE vm_instance_id = ${vmInstanceId}`;
    expect(registry).toEqual({ lifecycle_state: 'trusted', attestation_status: 'trusted' });
  });

  it('a stopped refresh worker is flagged scheduler-stalled (metric and trust note) once its last attempt is two cadences old', async () => {
    const { vmInstanceId, serverId } = await seedInstance(platform.db.sql);
    await trustEvent(platform, vmInstanceId, attested('trusted'));
    await waitForSchedule(platform, vmInstanceId, (s) => s.last_attempt_at !== null, 'a refresh before the stop');
    await refreshWorker!.close();
    refreshWorker = undefined;
    const stalled = await waitForSchedule(platform, vmInstanceId, (s) => s.stalled_at !== null, 'stall flag', 30_000);
    expect(stalled.stalled_at!.getTime() - stalled.last_attempt_at!.getTime()).toBeGreaterThan(2 * INTERVAL_MS);
    const [plan] = await platform.db.sql<{ notes: string[] }[]>`SELECT notes FROM evaluation_certifications WHERE server_id = ${serverId}`;
    expect(plan!.notes).toContain(`vm:trust-scheduler-stalled=${vmInstanceId}:${stalled.last_attempt_at!.toISOString()}`);
    const metrics = await (await fetch(`${platform.url}/metrics`)).text();
    const value = Number(/^mcp_scheduler_stalled_instances (\d+)$/m.exec(metrics)?.[1]);
    expect(value).toBeGreaterThanOrEqual(1);
  });
});
