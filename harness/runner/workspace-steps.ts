// Workspace steps: a draft over a catalog playbook and one target, racing revision appends (one per workspace
// version wins), the schema, policy and simulation gates passed in turn, and racing promotions whose winner stages
// a remediation run (labelled, so the usual approve / watch / await-run steps follow it). Each write goes through
// the REST API or, with `via: cli`, through the real `mcpctl remediation workspaces` commands.
import type { Answer } from './client.ts';
import { approver, operator } from './client.ts';
import { labelsOf, need, sleep, type ScenarioContext } from './context.ts';
import { mcpctl } from './mcpctl.ts';
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
  const viaCli = () => mcpctl(ctx, tenant, ['remediation', 'workspaces', 'create', '--key', body.workspace_key, '--display-name', body.display_name, '--playbook-id', String(playbook.id), '--targets', String(instance.id), '--plan', JSON.stringify(body.plan)], 201);
  const answer = await ctx.recorder.call(tenant, 'workspace-create', { playbook_id: playbook.id, via: step.via }, () => (step.via === 'cli' ? viaCli() : ctx.client.request(operator(tenant), 'POST', base, body)), (b) => ({ workspace_id: b.workspace?.id, owner_id: b.workspace?.owner_id }));
  if (answer?.status !== 201) throw new Error(`workspace ${step.as} was not created (${answer?.status} ${JSON.stringify(answer?.body)})`);
  labels.workspaces.set(step.as, { id: answer.body.workspace.id, instance_id: instance.id });
}

/** A CLI refusal carries only its code; the version to send next is read back the way an operator would. */
async function withCurrentVersion(ctx: ScenarioContext, tenant: string, id: number, answer: Answer): Promise<Answer> {
  if (answer.status !== 409) return answer;
  const now = await ctx.client.request(operator(tenant), 'GET', `${base}/${id}`);
  return { status: 409, body: { ...answer.body, current_version: now.body.workspace?.version } };
}

export async function revise(ctx: ScenarioContext, tenant: string, step: StepOf<'revise'>): Promise<void> {
  const { id } = need(labelsOf(ctx, tenant).workspaces, step.workspace, 'workspace');
  const read = (await readEnvelope(ctx, tenant, id)).version;
  const version = step.stale ? read - 1 : read;
  const write = async (i: number): Promise<Answer> => {
    const body = { expected_version: version, plan: revisionPlan(`racer-${i}`), lineage_labels: ['harness'] };
    if (step.via === 'api') return ctx.client.request(operator(tenant), 'POST', `${base}/${id}/revisions`, body);
    const args = ['remediation', 'workspaces', 'revise', String(id), '--version', String(version), '--plan', JSON.stringify(body.plan), '--labels', 'harness'];
    return withCurrentVersion(ctx, tenant, id, await mcpctl(ctx, tenant, args, 201));
  };
  const answers = await race(ctx, step.racers, (i) =>
    ctx.recorder.call(tenant, 'workspace-revise', { target_id: id, version, racer: i, via: step.via, stale: step.stale }, () => write(i), (b) => ({ revision_id: b.revision?.id, owner_id: b.revision?.owner_id })),
  );
  const refused = answers.filter((answer) => answer?.status === 409).length;
  if (step.stale && refused !== step.racers) throw new Error(`workspace ${id}: a revision under stale version ${version} was not refused 409 (${refused} of ${step.racers})`);
}

const cliGate: Record<string, string[]> = { schema: ['schema'], policy: ['policy'], simulation: ['simulate', '--wait', '--timeout', '120'] };

/** One gate write under the versions read just before; `override` is an approver overriding a soft policy failure. */
async function postGate(ctx: ScenarioContext, tenant: string, id: number, gate: string, via: 'api' | 'cli', override?: string): Promise<Answer | undefined> {
  const current = await readEnvelope(ctx, tenant, id);
  const actor = override === undefined ? operator(tenant) : approver(tenant, 0);
  const body = { workspace_version: current.version, revision_version: current.revisionVersion, ...(override === undefined ? {} : { override: { reason: override } }) };
  const viaCli = () => {
    const [command, ...flags] = cliGate[gate]!;
    const overrideFlags = override === undefined ? [] : ['--override-reason', override];
    return mcpctl(ctx, tenant, ['remediation', 'workspaces', command!, String(id), '--revision', String(current.revisionId), '--workspace-version', String(current.version), '--revision-version', String(current.revisionVersion), ...flags, ...overrideFlags], 200, actor);
  };
  return ctx.recorder.call(tenant, 'workspace-gate', { workspace_id: id, gate, via, override: override !== undefined }, () => (via === 'cli' ? viaCli() : ctx.client.request(actor, 'POST', `${base}/${id}/revisions/${current.revisionId}/${gate}`, body)), (b) => ({
    state: b.revision?.state ?? b.revision?.revision?.state,
    policy_status: b.revision?.policy_status ?? b.revision?.revision?.policy_status,
    ...(b.settled_revision ? { settled_state: b.settled_revision.state, simulation_status: b.settled_revision.simulation_status } : {}),
  }));
}

export async function passGates(ctx: ScenarioContext, tenant: string, step: StepOf<'gates'>): Promise<void> {
  const { id } = need(labelsOf(ctx, tenant).workspaces, step.workspace, 'workspace');
  const gates = ['schema', 'policy', ...(step.policy_override === undefined ? [] : ['override']), 'simulation'];
  for (const gate of gates) {
    const answer = gate === 'override' ? await postGate(ctx, tenant, id, 'policy', step.via, step.policy_override) : await postGate(ctx, tenant, id, gate, step.via);
    if (answer === undefined || answer.status >= 300) throw new Error(`workspace ${id}: the ${gate} gate answered ${answer?.status} ${JSON.stringify(answer?.body)}`);
  }
  if (step.via === 'cli') {
    const diff = await ctx.recorder.call(tenant, 'workspace-diff', { workspace_id: id, via: step.via }, () => mcpctl(ctx, tenant, ['remediation', 'workspaces', 'diff', String(id)]), (b) => ({
      sandbox_execution_id: b?.id, revision_id: b?.revision_id, gate_status: b?.gate_status, tasks: b?.tasks?.length,
    }));
    if (diff?.status !== 200 || diff.body === null) throw new Error(`workspace ${id}: mcpctl diff showed no simulation (${diff?.status} ${JSON.stringify(diff?.body)})`);
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
  const viaCli = async () => withCurrentVersion(ctx, tenant, workspace.id, await mcpctl(ctx, tenant, [
    'remediation', 'workspaces', 'promote', String(workspace.id), '--revision', String(current.revisionId), '--workspace-version', String(current.version),
    '--revision-version', String(current.revisionVersion), '--track', body.track_name, '--stage', body.stage, '--wait', '--timeout', '120',
  ], 202));
  await race(ctx, step.racers, (i) =>
    ctx.recorder.call(tenant, 'workspace-promote', { target_id: workspace.id, version: current.version, racer: i, via: step.via }, () => (step.via === 'cli' ? viaCli() : ctx.client.request(operator(tenant), 'POST', `${base}/${workspace.id}/revisions/${current.revisionId}/promotion`, body)), (b) => ({
      promotion_id: b.promotion?.id, promotion_status: b.promotion?.status, phases: b.promotion_runs?.map((run: { phase: string }) => run.phase), ...owner(b.promotion),
    })),
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
