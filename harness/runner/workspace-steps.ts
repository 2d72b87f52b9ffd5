// Workspace steps: a draft over a catalog playbook and one target, racing revision appends (one per workspace
// version wins), the schema, policy and simulation gates passed in turn, and racing promotions whose winner stages
// a remediation run (labelled, so the usual approve / watch / await-run steps follow it).
import type { Answer } from './client.ts';
import { operator } from './client.ts';
import { labelsOf, need, sleep, type ScenarioContext } from './context.ts';
import { owner, race, shellPlan, type StepOf } from './step-helpers.ts';

const base = '/api/trust/remediation/workspaces';

interface Envelope {
  version: number;
  revisionId: number;
  revisionVersion: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A workspace envelope, recorded as a `workspace-read`: its version (ETag), the active revision and its state. */
async function readEnvelope(ctx: ScenarioContext, tenant: string, id: number): Promise<Envelope> {
  const answer = await ctx.recorder.call(tenant, 'workspace-read', { workspace_id: id }, async () => {
    const response = await fetch(`${ctx.client.url}${base}/${id}`, { headers: { authorization: `Bearer ${await ctx.client.token(operator(tenant))}` }, signal: AbortSignal.timeout(15_000) });
    return { status: response.status, body: { ...((await response.json()) as object), etag: Number(JSON.parse(response.headers.get('etag') ?? '0')) } };
  }, (body) => {
    const active = body.revisions?.find((entry: { revision: { id: number } }) => entry.revision.id === body.workspace.active_revision_id)?.revision;
    return { owner_id: body.workspace.owner_id, version: body.etag, revision_state: active?.state, simulation_status: active?.simulation_status, promotions: (body.promotions ?? []).map((p: { status: string }) => p.status) };
  });
  if (answer?.status !== 200) throw new Error(`workspace ${id} could not be read (${answer?.status})`);
  const active = answer.body.revisions.find((entry: { revision: { id: number } }) => entry.revision.id === answer.body.workspace.active_revision_id).revision;
  return { version: answer.body.etag, revisionId: active.id, revisionVersion: active.version, body: answer.body };
}

const revisionPlan = (label: string) => ({ ...shellPlan(1, label), simulate: { command: '/bin/sh', args: ['-c', `echo "${label}: would repair"`] } });

export async function createWorkspace(ctx: ScenarioContext, tenant: string, step: StepOf<'workspace'>): Promise<void> {
  const labels = labelsOf(ctx, tenant);
  const playbook = need(labels.playbooks, step.playbook, 'playbook');
  const instance = need(labels.instances, step.instance, 'instance');
  const body = { workspace_key: `${ctx.slug}-${step.as}`.slice(0, 100), display_name: `${ctx.scenario.name} ${step.as}`, playbook_id: playbook.id, targets: [instance.id], plan: revisionPlan('draft') };
  const answer = await ctx.recorder.call(tenant, 'workspace-create', { playbook_id: playbook.id }, () => ctx.client.request(operator(tenant), 'POST', base, body), (b) => ({ workspace_id: b.workspace?.id, owner_id: b.workspace?.owner_id }));
  if (answer?.status !== 201) throw new Error(`workspace ${step.as} was not created (${answer?.status} ${JSON.stringify(answer?.body)})`);
  labels.workspaces.set(step.as, { id: answer.body.workspace.id, instance_id: instance.id });
}

export async function revise(ctx: ScenarioContext, tenant: string, step: StepOf<'revise'>): Promise<void> {
  const { id } = need(labelsOf(ctx, tenant).workspaces, step.workspace, 'workspace');
  const { version } = await readEnvelope(ctx, tenant, id);
  await race(ctx, step.racers, (i) =>
    ctx.recorder.call(tenant, 'workspace-revise', { target_id: id, version, racer: i }, () => ctx.client.request(operator(tenant), 'POST', `${base}/${id}/revisions`, { expected_version: version, plan: revisionPlan(`racer-${i}`), lineage_labels: ['harness'] }), (b) => ({ revision_id: b.revision?.id, owner_id: b.revision?.owner_id })),
  );
}

async function postGate(ctx: ScenarioContext, tenant: string, id: number, gate: string, extra: Record<string, unknown> = {}): Promise<Answer | undefined> {
  const current = await readEnvelope(ctx, tenant, id);
  const body = { workspace_version: current.version, revision_version: current.revisionVersion, ...extra };
  return ctx.recorder.call(tenant, 'workspace-gate', { workspace_id: id, gate }, () => ctx.client.request(operator(tenant), 'POST', `${base}/${id}/revisions/${current.revisionId}/${gate}`, body), (b) => ({ state: b.revision?.state ?? b.revision?.revision?.state }));
}

export async function passGates(ctx: ScenarioContext, tenant: string, step: StepOf<'gates'>): Promise<void> {
  const { id } = need(labelsOf(ctx, tenant).workspaces, step.workspace, 'workspace');
  for (const gate of ['schema', 'policy', 'simulation']) {
    const answer = await postGate(ctx, tenant, id, gate);
    if (answer === undefined || answer.status >= 300) throw new Error(`workspace ${id}: the ${gate} gate answered ${answer?.status} ${JSON.stringify(answer?.body)}`);
  }
  for (;;) {
    const envelope = await readEnvelope(ctx, tenant, id);
    const active = envelope.body.revisions.find((entry: { revision: { id: number } }) => entry.revision.id === envelope.revisionId);
    if (active.revision.state === 'ready') return;
    if (active.terminal || active.revision.simulation_status === 'failed' || active.revision.simulation_status === 'inconclusive') {
      throw new Error(`workspace ${id}: revision ended ${active.revision.state} (simulation ${active.revision.simulation_status})`);
    }
    if (Date.now() > ctx.deadline) throw new Error(`workspace ${id}: not ready before the deadline`);
    await sleep(250);
  }
}

export async function promote(ctx: ScenarioContext, tenant: string, step: StepOf<'promote'>): Promise<void> {
  const labels = labelsOf(ctx, tenant);
  const workspace = need(labels.workspaces, step.workspace, 'workspace');
  const current = await readEnvelope(ctx, tenant, workspace.id);
  const body = { workspace_version: current.version, revision_version: current.revisionVersion, track_name: 'stable', stage: 'production' };
  await race(ctx, step.racers, (i) =>
    ctx.recorder.call(tenant, 'workspace-promote', { target_id: workspace.id, version: current.version, racer: i }, () => ctx.client.request(operator(tenant), 'POST', `${base}/${workspace.id}/revisions/${current.revisionId}/promotion`, body), (b) => ({ promotion_id: b.promotion?.id, ...owner(b.promotion) })),
  );
  for (;;) {
    const envelope = await readEnvelope(ctx, tenant, workspace.id);
    const staged = envelope.body.promotions?.[0]?.promotion_runs?.find((target: { remediation_run_id?: number | null }) => typeof target.remediation_run_id === 'number');
    if (staged) {
      labels.runs.set(step.as, { id: staged.remediation_run_id, instance_id: workspace.instance_id });
      return;
    }
    if (Date.now() > ctx.deadline) throw new Error(`workspace ${workspace.id}: no run staged before the deadline`);
    await sleep(250);
  }
}
