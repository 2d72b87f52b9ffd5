// Every checker against a good history (pass), the same history with its planted bug (fail), and the same
// history with a fault during which nothing of its kind succeeded (unknown, never pass).
import { describe, expect, it } from 'vitest';
import { runChecker } from '../../harness/checkers/index.ts';
import type { CheckInput } from '../../harness/checkers/verdict.ts';
import { createHistoryBuilder, type HistoryBuilder } from '../../harness/history-builder.ts';
import type { TranscriptEntry } from '../../harness/history.ts';
import { plantBug } from '../../harness/plant-bug.ts';
import type { CheckerName } from '../../harness/scenario.ts';

const S = 'scenario';
type Good = (h: HistoryBuilder, transcript: TranscriptEntry[]) => void;

const tenantIsolation: Good = (h) => {
  h.op('tenant-alpha', 'run-read', { run_id: 1, instance_id: 10 }, 'ok', { run_id: 1, status: 'succeeded', owner_id: 'tenant-alpha' });
  h.op('tenant-alpha', 'cross-read', { path: '/api/trust/remediation/runs/2', target_owner: 'tenant-bravo' }, 'fail', { status: 404 });
  h.op('tenant-bravo', 'cross-read', { path: '/api/trust/remediation/runs/1', target_owner: 'tenant-alpha' }, 'fail', { status: 404 });
};
const oneWinner: Good = (h) => {
  const answers = ['a', 'b', 'c'].map((sub) => ({ sub, done: h.invoke('tenant-alpha', 'approve', { target_id: 1, version: 1, approver: sub }) }));
  answers[0]?.done('ok', { version: 2 });
  answers[1]?.done('fail', { status: 409, code: 'version-conflict', current_version: 2 });
  answers[2]?.done('fail', { status: 409, code: 'version-conflict', current_version: 2 });
};
const oneActive: Good = (h) => {
  const racers = [0, 1, 2].map(() => h.invoke('tenant-alpha', 'enqueue', { instance_id: 10, group: 'run' }));
  racers[1]?.('ok', { run_id: 5 });
  racers[0]?.('fail', { status: 409, code: 'active-run-exists', active_run_id: 5 });
  racers[2]?.('fail', { status: 409, code: 'active-run-exists', active_run_id: 5 });
  h.op('tenant-alpha', 'run-read', { run_id: 5, instance_id: 10 }, 'ok', { run_id: 5, status: 'pending', owner_id: 'tenant-alpha' });
};
const streamOrder: Good = (h, transcript) => {
  const watch = h.invoke('tenant-alpha', 'watch', { run_id: 5, manifest_tags: ['fabric:x'] });
  const frames = [
    { id: null, event: 'current', run_id: 5 },
    { id: 11, event: 'run.created', manifest_tags: ['fabric:x'] },
    { id: 12, event: 'log' },
    { notice: 'stream reconnected; resuming after event 12' },
    { id: 14, event: 'run.succeeded', manifest_tags: ['fabric:x', 'other'] },
  ];
  for (const line of frames) transcript.push({ scenario: S, tenant: 'tenant-alpha', run_id: 5, time: 1, line });
  watch('ok', { exit_code: 0 });
  h.op('tenant-alpha', 'server-log', { run_id: 5, manifest_tags: ['fabric:x'] }, 'ok', { ids: [11, 12, 14, 15] });
};
const outage: Good = (h) => {
  h.op('tenant-alpha', 'enqueue', { instance_id: 10, group: 'run' }, 'ok', { run_id: 5 });
  h.fault('executor-outage', 'start', 'installed', { run_ids: [5], secrets_file: 'absent' });
  h.op('tenant-alpha', 'run-read', { run_id: 5, instance_id: 10 }, 'ok', { run_id: 5, status: 'retry-scheduled', remediation_state: 'transient-failure', attempts: [{ status: 'failed', failure_reason: 'executor-unavailable' }] });
  h.fault('executor-outage', 'end', 'installed', { secrets_file: 'present' });
  h.op('tenant-alpha', 'run-read', { run_id: 5, instance_id: 10 }, 'ok', { run_id: 5, status: 'succeeded', remediation_state: 'automation-complete' });
  h.op('tenant-alpha', 'queues', {}, 'ok', { jobs: 0 });
};

const good: Record<CheckerName, Good> = {
  'tenant-isolation': tenantIsolation,
  'one-winner-per-version': oneWinner,
  'one-active-run': oneActive,
  'stream-order': streamOrder,
  'outage-recovery': outage,
};

function history(build: Good): CheckInput {
  const h = createHistoryBuilder(S);
  const transcript: TranscriptEntry[] = [];
  build(h, transcript);
  return { history: h.entries, transcript };
}

/** The good history with a fault wrapped around its end, during which no operation of any kind succeeded. */
function withIdleFault(input: CheckInput): CheckInput {
  const h = createHistoryBuilder(S, { from: input.history });
  h.fault('redis-restart', 'start', 'installed', { socket: 'gone' });
  h.op('tenant-alpha', 'run-read', { run_id: 99, instance_id: 99 }, 'fail', { status: 503 });
  h.fault('redis-restart', 'end', 'installed', { ping: 'PONG' });
  return { history: h.entries, transcript: input.transcript };
}

const names = Object.keys(good) as CheckerName[];

describe('checkers', () => {
  it.each(names)('%s passes a good history', (name) => {
    expect(runChecker(name, history(good[name]))).toMatchObject({ checker: name, verdict: 'pass' });
  });

  it.each(names)('%s fails the same history with its planted bug', (name) => {
    expect(runChecker(name, plantBug(name, history(good[name]), S))).toMatchObject({ verdict: 'fail' });
  });

  it.each(names)('%s answers unknown when nothing it judges succeeded during a fault', (name) => {
    const result = runChecker(name, withIdleFault(history(good[name])));
    expect(result.verdict).toBe('unknown');
    expect(result.detail).toMatch(/while redis-restart was in effect|not read after redis-restart/);
  });

  it.each(names)('%s answers unknown for an empty history', (name) => {
    expect(runChecker(name, { history: [], transcript: [] }).verdict).toBe('unknown');
  });

  it('answers unknown when a fault was not proven to take effect', () => {
    const h = createHistoryBuilder(S, { from: history(oneActive).history });
    h.fault('worker-sigkill', 'start', 'indeterminate', { reason: 'the run never reached running' });
    h.fault('worker-sigkill', 'end', 'skipped', {});
    expect(runChecker('one-active-run', { history: h.entries, transcript: [] })).toMatchObject({ verdict: 'unknown', detail: expect.stringContaining('not proven') });
  });

  it.each([
    ['a gap against the server log', [11, 14], 'missing 12'],
    ['a repeat across a reconnect', [11, 12, 12, 14], 'delivered twice'],
    ['an id going back', [11, 14, 12], 'after 14'],
  ])('stream-order fails %s', (_what, ids, detail) => {
    const input = history((h) => h.op('tenant-alpha', 'server-log', { run_id: 5 }, 'ok', { ids: [11, 12, 14] }));
    const transcript = ids.map((id) => ({ scenario: S, tenant: 'tenant-alpha', run_id: 5, time: 1, line: { id, event: 'log' } }));
    expect(runChecker('stream-order', { ...input, transcript })).toMatchObject({ verdict: 'fail', detail: expect.stringContaining(detail) });
  });

  it.each(['workspace-revise', 'workspace-promote'] as const)('one-winner-per-version judges racing %s writes too', (f) => {
    const race = (outcomes: ('ok' | 'fail')[]) =>
      history((h) => {
        for (const outcome of outcomes) h.op('tenant-alpha', f, { target_id: 3, version: 2 }, outcome, outcome === 'ok' ? { status: 201 } : { status: 409, code: 'version-conflict', current_version: 3 });
      });
    expect(runChecker('one-winner-per-version', race(['ok', 'fail', 'fail'])).verdict).toBe('pass');
    expect(runChecker('one-winner-per-version', race(['ok', 'ok', 'fail']))).toMatchObject({ verdict: 'fail', detail: `2 writers won tenant-alpha/${f}/3@2` });
  });

  it('tenant-isolation fails a 403 across tenants (it confirms the id exists)', () => {
    const input = history((h) => h.op('tenant-alpha', 'cross-read', { path: '/x', target_owner: 'tenant-bravo' }, 'fail', { status: 403 }));
    expect(runChecker('tenant-isolation', input)).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('403') });
  });

  it('outage-recovery fails a run that ended failed, and queues left with jobs', () => {
    const failed = history((h) => {
      h.fault('worker-sigkill', 'start', 'installed', { run_ids: [5] });
      h.op('tenant-alpha', 'run-read', { run_id: 5 }, 'ok', { run_id: 5, status: 'running' });
      h.fault('worker-sigkill', 'end', 'installed', {});
      h.op('tenant-alpha', 'run-read', { run_id: 5 }, 'ok', { run_id: 5, status: 'failed' });
    });
    expect(runChecker('outage-recovery', failed)).toMatchObject({ verdict: 'fail', detail: 'run 5 ended failed after worker-sigkill' });
    const busy = history((h) => {
      outage(h, []);
      h.op('tenant-alpha', 'queues', {}, 'ok', { jobs: 3 });
    });
    expect(runChecker('outage-recovery', busy)).toMatchObject({ verdict: 'fail', detail: '3 jobs left in the queues at the end' });
  });
});
