// One observation of a run, recorded as a `run-read`: the run (status, attempts of its retry ledger) and its
// instance's registry tag, the two reads the outage and active-run checkers judge.
import type { Answer } from './client.ts';
import { operator } from './client.ts';
import type { ScenarioContext } from './context.ts';

export const endStatuses = new Set(['succeeded', 'failed', 'cancelled', 'denied', 'expired']);

export interface RunView {
  status: string;
  version: number;
  remediation_state: string;
  attempts: { attempt: number; status: string; failure_reason: string | null }[];
}

export async function readRun(ctx: ScenarioContext, tenant: string, run: { id: number; instance_id: number }): Promise<RunView | undefined> {
  const actor = operator(tenant);
  let view: RunView | undefined;
  await ctx.recorder.call(
    tenant,
    'run-read',
    { run_id: run.id, instance_id: run.instance_id },
    async (): Promise<Answer> => {
      const answer = await ctx.client.request(actor, 'GET', `/api/trust/remediation/runs/${run.id}`);
      if (answer.status !== 200) return answer;
      const registry = await ctx.client.request(actor, 'GET', `/api/trust/registry/${run.instance_id}`);
      return { status: answer.status, body: { ...answer.body, remediation_state: registry.status === 200 ? registry.body.remediation_state : `unread (${registry.status})` } };
    },
    (body) => {
      const attempts = ((body.retry_ledger ?? []) as RunView['attempts']).map(({ attempt, status, failure_reason }) => ({ attempt, status, failure_reason }));
      view = { status: body.status, version: body.version, remediation_state: body.remediation_state, attempts };
      return { run_id: body.id, owner_id: body.owner_id, status: body.status, version: body.version, remediation_state: body.remediation_state, attempts };
    },
  );
  return view;
}
