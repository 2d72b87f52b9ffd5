// Fault controllers: each waits for its trigger (a run of the scenario reading the status `when`, or the start),
// injects the fault on the harness's own services, and records start and end with the evidence that the fault took
// effect and was healed — `installed` only when a probe saw it, `skipped` when the trigger never came,
// `indeterminate` when the probe could not tell.
import type { Fault } from '../scenario.ts';
import { labelsOf, sleep, type ScenarioContext } from './context.ts';
import { readRun, type RunView } from './run-read.ts';

const runsOf = (ctx: ScenarioContext, label: string) =>
  ctx.scenario.tenants.flatMap((tenant) => {
    const run = labelsOf(ctx, tenant).runs.get(label);
    return run ? [{ tenant, run }] : [];
  });

/** Poll the fault's runs (recording each read) until `done` has held for one of them (any), or for each (all). */
async function watchRuns(ctx: ScenarioContext, label: string, mode: 'any' | 'all', done: (view: RunView) => boolean, timeoutMs: number): Promise<boolean> {
  const until = Math.min(ctx.deadline, Date.now() + timeoutMs);
  const seen = new Set<number>();
  while (Date.now() < until) {
    const runs = runsOf(ctx, label).filter(({ run }) => !seen.has(run.id));
    const views = await Promise.all(runs.map(async ({ tenant, run }) => ({ run, view: await readRun(ctx, tenant, run) })));
    for (const { run, view } of views) if (view !== undefined && done(view)) seen.add(run.id);
    if (mode === 'any' ? seen.size > 0 : seen.size === ctx.scenario.tenants.length) return true;
    await sleep(100);
  }
  return false;
}

const ids = (ctx: ScenarioContext, label: string) => runsOf(ctx, label).map(({ run }) => run.id);
const verdict = (ok: boolean) => (ok ? 'installed' : 'indeterminate');

async function inject(ctx: ScenarioContext, fault: Fault): Promise<void> {
  const { history } = ctx.recorder;
  const platform = ctx.platform;
  switch (fault.kind) {
    case 'worker-sigkill': {
      const killed = await platform.killWorker();
      history.fault(fault.kind, 'start', verdict(killed.signal === 'SIGKILL'), { run_ids: ids(ctx, fault.run), ...killed });
      const next = await platform.startWorker();
      history.fault(fault.kind, 'end', verdict(next > 0), { new_worker_pid: next });
      return;
    }
    case 'redis-restart':
    case 'postgres-restart':
    case 'api-restart': {
      const service = platform.restartable[({ 'redis-restart': 'redis', 'postgres-restart': 'postgres', 'api-restart': 'api' } as const)[fault.kind]];
      const down = await service.stop();
      history.fault(fault.kind, 'start', verdict(down), { run_ids: ids(ctx, fault.run), probe: down ? 'refused connections' : 'still answering' });
      const up = await service.start();
      history.fault(fault.kind, 'end', verdict(up), { probe: up ? 'answering again' : 'not answering' });
      return;
    }
    case 'executor-outage': {
      const hidden = await platform.hideSecrets();
      history.fault(fault.kind, 'start', verdict(hidden), { secrets_file: hidden ? 'absent' : 'still present', run_ids: ids(ctx, fault.run) });
      // Healed only once every run was seen failing for it and tagged so in the registry (retry-scheduled).
      const tagged = (view: RunView) => view.remediation_state === 'transient-failure' && view.attempts.some((attempt) => attempt.failure_reason === 'executor-unavailable');
      const failed = await watchRuns(ctx, fault.run, 'all', tagged, 60_000);
      const restored = await platform.restoreSecrets();
      history.fault(fault.kind, 'end', verdict(restored && failed), { secrets_file: restored ? 'present' : 'absent', attempts_failed_during_outage: failed, run_ids: ids(ctx, fault.run) });
      return;
    }
  }
}

export async function runFault(ctx: ScenarioContext, fault: Fault): Promise<void> {
  if (fault.when !== 'start') {
    const reached = await watchRuns(ctx, fault.run, 'any', (view) => view.status === fault.when, 60_000);
    if (!reached) {
      const evidence = { reason: `no run ${fault.run} was seen ${fault.when}` };
      ctx.recorder.history.fault(fault.kind, 'start', 'skipped', evidence);
      ctx.recorder.history.fault(fault.kind, 'end', 'skipped', evidence);
      return;
    }
  }
  await inject(ctx, fault);
}
