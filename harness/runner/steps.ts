// The step vocabulary of a scenario, each through the public API (or the real CLI): playbooks, racing edits,
// instances put into quarantine, racing enqueues and approvals, watches, waiting for a run, artifacts,
// cross-tenant probes and the queue drain at the end. Racers start together, each after a seeded jitter.
import { createHash } from 'node:crypto';
import { CLOUD_SECRET_REF } from '../platform/platform.ts';
import type { Step } from '../scenario.ts';
import { approver, operator, type Answer } from './client.ts';
import { labelsOf, need, sleep, type ScenarioContext } from './context.ts';
import { endStatuses, readRun } from './run-read.ts';
import { startWatch } from './watch.ts';
import { drainQueues } from './queues.ts';
import { probeTenants } from './probe.ts';
import { mcpctl } from './mcpctl.ts';
import { createWorkspace, passGates, promote, revise } from './workspace-steps.ts';
import { owner, race, shellPlan, type StepOf } from './step-helpers.ts';

function planOf(ctx: ScenarioContext, step: StepOf<'playbook'>) {
  if (step.executor === 'cloud') return { method: 'POST', url: `${ctx.platform.cloudUrl}/repair/{{run_id}}`, body: { run: '{{run_id}}' }, auth: { secret_ref: CLOUD_SECRET_REF } };
  return shellPlan(step.sleep_seconds);
}

async function playbook(ctx: ScenarioContext, tenant: string, step: StepOf<'playbook'>) {
  const key = `${ctx.slug}-${step.as}`.slice(0, 100);
  const body = {
    playbook_key: key,
    executor_type: step.executor,
    approval_required: step.approval_required,
    retry_limit: step.retry_limit,
    timeout_seconds: 60,
    metadata: { manifest_tags: step.manifest_tags, harness_scenario: ctx.scenario.name },
    plan: planOf(ctx, step),
  };
  const answer = await ctx.recorder.call(tenant, 'playbook-create', { key }, () => ctx.client.request(operator(tenant), 'POST', '/api/trust/remediation/playbooks', body), (b) => ({ playbook_id: b.id, ...owner(b) }));
  if (answer?.status !== 201) throw new Error(`playbook ${key} was not created (${answer?.status})`);
  labelsOf(ctx, tenant).playbooks.set(step.as, { id: answer.body.id, key });
}

async function editPlaybook(ctx: ScenarioContext, tenant: string, step: StepOf<'edit-playbook'>) {
  const { id } = need(labelsOf(ctx, tenant).playbooks, step.playbook, 'playbook');
  const current = await ctx.client.request(operator(tenant), 'GET', `/api/trust/remediation/playbooks/${id}`);
  const version = current.body.version;
  await race(ctx, step.racers, (i) =>
    ctx.recorder.call(tenant, 'playbook-edit', { target_id: id, version, racer: i }, () => ctx.client.request(operator(tenant), 'PATCH', `/api/trust/remediation/playbooks/${id}`, { version, description: `edited by racer ${i}` }), (b) => ({ version: b.version, ...owner(b) })),
  );
}

async function instance(ctx: ScenarioContext, tenant: string, step: StepOf<'instance'>) {
  // Domain names are unique across tenants: the tenant and a digest of the scenario make them distinct.
  const name = `${step.as}-${tenant}-${createHash('sha256').update(ctx.scenario.name).digest('hex').slice(0, 8)}`.slice(0, 63);
  const actor = operator(tenant);
  const made = await ctx.recorder.call(tenant, 'instance-create', { name }, async () => {
    const server = await ctx.client.request(actor, 'POST', '/api/servers', { name, image: 'ghcr.io/harness/mcp:1' });
    if (server.status !== 201) return server;
    const created = await ctx.client.request(actor, 'POST', `/api/servers/${server.body.id}/vm-instances`, { domain_name: name });
    if (created.status !== 201) return created;
    const instanceId = created.body.instance.id;
    const entry = await ctx.client.request(actor, 'GET', `/api/trust/registry/${instanceId}`);
    if (!step.quarantine) return { status: 201, body: { id: instanceId, owner_id: entry.body.owner_id } };
    // Quarantined, so the run's progress is tagged in the registry (a trusted instance takes no remediation events).
    const moved = await ctx.client.request(actor, 'POST', `/api/trust/registry/${instanceId}/transition`, { version: entry.body.version, lifecycle_state: 'quarantined', reason: 'validation harness' });
    return moved.status === 200 ? { status: 201, body: { id: instanceId, owner_id: moved.body.registry.owner_id } } : moved;
  }, (b) => ({ instance_id: b.id, ...owner(b) }));
  if (made?.status !== 201) throw new Error(`instance ${name} was not made (${made?.status} ${JSON.stringify(made?.body)})`);
  labelsOf(ctx, tenant).instances.set(step.as, { id: made.body.id });
}

async function enqueueVia(ctx: ScenarioContext, tenant: string, via: 'api' | 'cli', playbookId: number, instanceId: number): Promise<Answer> {
  if (via === 'api') return ctx.client.request(operator(tenant), 'POST', '/api/trust/remediation/runs', { playbook_id: playbookId, vm_instance_id: instanceId });
  const answer = await mcpctl(ctx, tenant, ['remediation', 'runs', 'enqueue', '--playbook-id', String(playbookId), '--vm-instance-id', String(instanceId)], 201);
  if (answer.body.code !== 'active-run-exists') return answer;
  // The run the refusal names is read back the way an operator would.
  const active = await ctx.client.request(operator(tenant), 'GET', `/api/trust/remediation/runs?vm_instance_id=${instanceId}&limit=50`);
  const running = active.body.items?.find((run: { status: string }) => !endStatuses.has(run.status));
  return { status: 409, body: { ...answer.body, active_run_id: running?.id } };
}

async function enqueue(ctx: ScenarioContext, tenant: string, step: StepOf<'enqueue'>) {
  const labels = labelsOf(ctx, tenant);
  const { id: playbookId } = need(labels.playbooks, step.playbook, 'playbook');
  const { id: instanceId } = need(labels.instances, step.instance, 'instance');
  const answers = await race(ctx, step.racers, () =>
    ctx.recorder.call(tenant, 'enqueue', { playbook_id: playbookId, instance_id: instanceId, group: step.as, via: step.via }, () => enqueueVia(ctx, tenant, step.via, playbookId, instanceId), (b) => ({ run_id: b.id, ...owner(b) })),
  );
  const winner = answers.find((answer) => answer?.status === 201)?.body.id ?? answers.find((answer) => answer?.status === 409)?.body.active_run_id;
  if (typeof winner !== 'number') throw new Error(`enqueue ${step.as}: no run was created or named`);
  labels.runs.set(step.as, { id: winner, instance_id: instanceId });
}

async function approve(ctx: ScenarioContext, tenant: string, step: StepOf<'approve'>) {
  const run = need(labelsOf(ctx, tenant).runs, step.run, 'run');
  const view = await readRun(ctx, tenant, run);
  if (!view) throw new Error(`run ${run.id} could not be read`);
  await race(ctx, step.racers, (i) =>
    ctx.recorder.call(tenant, 'approve', { target_id: run.id, version: view.version, approver: i }, () => ctx.client.request(approver(tenant, i), 'POST', `/api/trust/remediation/runs/${run.id}/approval`, { decision: 'approve', version: view.version }), (b) => ({ version: b.version, ...owner(b) })),
  );
}

async function awaitRun(ctx: ScenarioContext, tenant: string, step: StepOf<'await-run'>) {
  const run = need(labelsOf(ctx, tenant).runs, step.run, 'run');
  for (;;) {
    const view = await readRun(ctx, tenant, run);
    if (view && endStatuses.has(view.status)) {
      if (!(step.status as string[]).includes(view.status)) ctx.unmet.push(`${tenant}: run ${run.id} (${step.run}) ended ${view.status}, not ${step.status.join(' or ')}`);
      return;
    }
    if (Date.now() > ctx.deadline) throw new Error(`run ${run.id} did not end before the scenario's deadline`);
    await sleep(200);
  }
}

async function artifacts(ctx: ScenarioContext, tenant: string, step: StepOf<'artifacts'>) {
  const run = need(labelsOf(ctx, tenant).runs, step.run, 'run');
  await ctx.recorder.call(tenant, 'artifacts', { run_id: run.id }, () => ctx.client.request(operator(tenant), 'GET', `/api/trust/remediation/runs/${run.id}/artifacts`), (b) => ({
    types: (b.items as { artifact_type: string }[]).map((item) => item.artifact_type),
    owners: [...new Set((b.items as { owner_id?: string }[]).map((item) => item.owner_id).filter(Boolean))],
  }));
}

export async function runStep(ctx: ScenarioContext, tenant: string, step: Step, index: number): Promise<void> {
  switch (step.op) {
    case 'playbook': return playbook(ctx, tenant, step);
    case 'edit-playbook': return editPlaybook(ctx, tenant, step);
    case 'instance': return instance(ctx, tenant, step);
    case 'enqueue': return enqueue(ctx, tenant, step);
    case 'approve': return approve(ctx, tenant, step);
    case 'watch': return startWatch(ctx, tenant, need(labelsOf(ctx, tenant).runs, step.run, 'run'));
    case 'await-run': return awaitRun(ctx, tenant, step);
    case 'artifacts': return artifacts(ctx, tenant, step);
    case 'probe-tenants':
      await ctx.barrier(index);
      return probeTenants(ctx, tenant, step);
    case 'workspace': return createWorkspace(ctx, tenant, step);
    case 'revise': return revise(ctx, tenant, step);
    case 'gates': return passGates(ctx, tenant, step);
    case 'promote': return promote(ctx, tenant, step);
    case 'drain-queues':
      await ctx.barrier(index);
      return drainQueues(ctx, tenant);
  }
}
