// The queue drain at the end of a scenario, read from the platform's /metrics: jobs waiting, active or
// prioritised on any queue, retries still delayed on remediation-execute, and outbox rows not yet relayed. Read
// until nothing is left (or the time is up), and the last reading recorded.
import { sleep, type ScenarioContext } from './context.ts';

const sample = /^(mcp_queue_jobs|mcp_outbox_pending_rows)(?:\{([^}]*)\})? (\d+(?:\.\d+)?)$/;

export function pendingWork(metrics: string): { jobs: number; by: Record<string, number> } {
  const by: Record<string, number> = {};
  for (const line of metrics.split('\n')) {
    const match = sample.exec(line.trim());
    if (!match) continue;
    const [, name, labels = '', value] = match;
    const state = /state="([^"]+)"/.exec(labels)?.[1];
    const queue = /queue="([^"]+)"/.exec(labels)?.[1] ?? '';
    const counts = name === 'mcp_outbox_pending_rows' || state === 'waiting' || state === 'active' || state === 'prioritized' || (state === 'delayed' && queue.endsWith('remediation-execute'));
    if (counts && Number(value) > 0) by[name === 'mcp_queue_jobs' ? `${queue}:${state}` : 'outbox:pending'] = Number(value);
  }
  return { jobs: Object.values(by).reduce((sum, n) => sum + n, 0), by };
}

export async function drainQueues(ctx: ScenarioContext, tenant: string): Promise<void> {
  const until = Math.min(ctx.deadline, Date.now() + 30_000);
  await ctx.recorder.call(tenant, 'queues', {}, async () => {
    let reading = pendingWork(await ctx.client.metrics());
    while (reading.jobs > 0 && Date.now() < until) {
      await sleep(250);
      reading = pendingWork(await ctx.client.metrics());
    }
    return { status: 200, body: reading };
  }, (body) => ({ jobs: body.jobs, by: body.by }));
}
