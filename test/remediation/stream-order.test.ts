// Stream order is commit order, for remediation runs and the trust transitions they drive through savepoints:
// concurrent runs, chatty executors and transient failures on the append never reorder what a client sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failStreamAppends } from '../support/faults.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { openSse, type SseEvent } from '../trust/sse-client.ts';
import { approver, createInstance, createPlaybook, enqueueRun, shellPlaybook } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['remediation-execute', 'sse-fanout'], env: { WORKER_CONCURRENCY: '8' } });
});
afterAll(() => platform.close());

const RUNS = 4;
const LINES = 1500;

function expectIncreasingIds(events: SseEvent[]): void {
  expect(events.map((event) => event.id)).toEqual([...events.map((event) => event.id)].sort((a, b) => a - b));
  expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
}

/** One run's events as a client saw them: status changes in causal order, every log line before the terminal status. */
async function expectRunInOrder(events: SseEvent[], runId: number): Promise<void> {
  const mine = events.filter((event) => event.data.run_id === runId);
  expect(mine.filter((event) => event.event !== 'log').map((event) => event.event)).toEqual(['run.created', 'run.approved', 'run.running', 'run.succeeded']);
  const terminal = mine.findIndex((event) => event.event === 'run.succeeded');
  const sequences = mine.slice(0, terminal).flatMap((event) => (event.event === 'log' ? (event.data.lines as { sequence: number }[]).map((line) => line.sequence) : []));
  // The executor's own lines come with the script's: every stored line, each once, in sequence order.
  const [stored] = await platform.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM runtime_vm_remediation_log_events WHERE run_id = ${runId}`;
  expect(stored!.n).toBeGreaterThanOrEqual(LINES);
  expect(sequences).toEqual(Array.from({ length: stored!.n }, (_, i) => i + 1));
}

describe('remediation and trust streams under concurrency and faults', () => {
  it('deliver every run in causal order with contiguous logs, and trust versions increasing, despite failed appends', async () => {
    // Transient failures land on status events, log batches and savepoint trust events alike.
    const restore = await failStreamAppends(platform.db.sql, { failing: [2, 5, 9, 14, 20, 27, 35, 44] });
    const token = await platform.token();
    const remediation = await openSse(`${platform.url}/api/trust/remediation/stream`, token);
    const trust = await openSse(`${platform.url}/api/trust/registry/stream`, token);
    try {
      const playbook = await createPlaybook(platform, shellPlaybook('chatty', `seq 1 ${LINES}`, { approval_required: true }));
      const vms = await Promise.all(Array.from({ length: RUNS }, () => createInstance(platform)));
      const runs = await Promise.all(vms.map(async (vm) => (await enqueueRun(platform, playbook.id, vm)).json()));
      await Promise.all(
        runs.map(async (run: { id: number }) => {
          const response = await platform.api(`/api/trust/remediation/runs/${run.id}/approval`, { method: 'POST', json: { decision: 'approve', version: 1 }, as: approver() });
          expect(response.status).toBe(200);
        }),
      );
      const done = (events: SseEvent[]) => runs.every((run: { id: number }) => events.some((event) => event.event === 'run.succeeded' && event.data.run_id === run.id));
      await waitFor(async () => remediation.events, done, { timeoutMs: 30_000, what: 'every run succeeded on the owner stream' });
      expectIncreasingIds(remediation.events);
      for (const run of runs) await expectRunInOrder(remediation.events, run.id);

      // A client of one run replays it from the log in the same order.
      const single = await openSse(`${platform.url}/api/trust/remediation/stream?run_id=${runs[0].id}`, token);
      try {
        await waitFor(async () => single.events, (events) => events.some((event) => event.event === 'run.succeeded'), { timeoutMs: 10_000, what: 'the replayed run' });
        expectIncreasingIds(single.events);
        await expectRunInOrder(single.events, runs[0].id);
      } finally {
        single.close();
      }

      // awaiting-approval → automation-pending → -running → -complete moved each registry through savepoints:
      // its versions arrive one by one, in order.
      const reported = (events: SseEvent[]) => vms.every((vm) => events.some((event) => event.data.vm_instance_id === vm && event.data.remediation_state === 'automation-complete'));
      await waitFor(async () => trust.events, reported, { timeoutMs: 10_000, what: 'every registry reported automation-complete' });
      expectIncreasingIds(trust.events);
      for (const vm of vms) {
        const versions = trust.events.filter((event) => event.data.vm_instance_id === vm).map((event) => event.data.version as number);
        expect(versions.length).toBeGreaterThanOrEqual(3);
        expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => versions[0]! + i));
      }
    } finally {
      remediation.close();
      trust.close();
      await restore();
    }
  });
});
