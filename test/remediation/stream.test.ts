import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertAcceleratorPosture } from '../../sql/remediation-accelerators.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSse, type SseEvent } from '../trust/sse-client.ts';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['remediation-execute', 'remediation-deadline', 'sse-fanout'] });
});
afterAll(() => platform.close());

async function readUntil(reader: Awaited<ReturnType<typeof openSse>>, done: (event: SseEvent) => boolean): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for (;;) {
    const [event] = await reader.next(1, 15_000);
    seen.push(event!);
    if (done(event!)) return seen;
  }
}

describe('remediation stream', () => {
  it('streams status changes and log lines in order, with governance context, and flags an SLA breach', async () => {
    const playbook = await createPlaybook(platform, shellPlaybook('streamed', 'for i in 1 2 3; do echo "line $i"; done; sleep 1.5; echo last', {
      sla_duration_seconds: 1,
      metadata: { manifest_tags: ['chaos:disk-full'] },
    }));
    const vm = await createInstance(platform);
    await upsertAcceleratorPosture(platform.db.sql, 'acme', vm, { accelerator_id: 'gpu-0', kind: 'gpu', posture: 'quarantined', policy_feedback: ['policy_hook:gpu_gate=firmware'], metadata: {} });
    const run = await (await enqueueRun(platform, playbook.id, vm)).json();
    const reader = await openSse(`${platform.url}/api/trust/remediation/stream?run_id=${run.id}`, await platform.token());
    const events = await readUntil(reader, (event) => event.event === 'run.succeeded');
    reader.close();

    const ids = events.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const names = events.map((event) => event.event).filter((name) => name !== 'log');
    expect(names).toEqual(['run.created', 'run.running', 'run.sla-breached', 'run.succeeded']);
    const lines = events.filter((event) => event.event === 'log').flatMap((event) => event.data.lines as { sequence: number; stream: string; line: string }[]);
    expect(lines.map((line) => line.sequence)).toEqual(lines.map((_, index) => index + 1));
    expect(lines.filter((line) => line.stream === 'stdout').map((line) => line.line)).toEqual(['line 1', 'line 2', 'line 3', 'last']);
    const created = events[0]!.data;
    expect(created.manifest_tags).toEqual(expect.arrayContaining(['playbook:streamed', 'executor:shell', 'chaos:disk-full']));
    expect(created.policy_feedback).toEqual(['policy_hook:gpu_gate=firmware']);
    expect(created.policy_gate).toMatchObject({
      blocked: true,
      hooks: [`policy_hook:remediation_gate=active-run:${run.id}`, 'policy_hook:accelerator_gate=accelerator:gpu-0'],
      accelerators: [{ accelerator_id: 'gpu-0', posture: 'quarantined', placement_reason: 'accelerator gpu-0 (gpu) is quarantined: policy_hook:gpu_gate=firmware' }],
    });
    expect(created.accelerators).toEqual([{ accelerator_id: 'gpu-0', kind: 'gpu', posture: 'quarantined', policy_feedback: ['policy_hook:gpu_gate=firmware'] }]);
    expect(created.automation_payload).toMatchObject({ playbook_key: 'streamed', executor_type: 'shell', attempt: 0 });
    const final = await waitForRun<{ sla_breached_at: Date | null; status: string }>(platform, run.id, (r) => r.status === 'succeeded');
    expect(final.sla_breached_at).not.toBeNull();
  });

  it('resumes after Last-Event-ID with exactly the events that followed it', async () => {
    const playbook = await createPlaybook(platform, shellPlaybook('resumable', 'echo a; echo b'));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    await waitForRun<{ status: string }>(platform, run.id, (r) => r.status === 'succeeded');
    const token = await platform.token();
    const first = await openSse(`${platform.url}/api/trust/remediation/stream?run_id=${run.id}`, token);
    const all = await readUntil(first, (event) => event.event === 'run.succeeded');
    first.close();
    const resumed = await openSse(`${platform.url}/api/trust/remediation/stream?run_id=${run.id}`, token, { 'last-event-id': String(all[1]!.id) });
    const rest = await readUntil(resumed, (event) => event.event === 'run.succeeded');
    resumed.close();
    expect(rest.map((event) => event.id)).toEqual(all.slice(2).map((event) => event.id));
  });
});
