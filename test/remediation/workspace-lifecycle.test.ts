// remediation_workspace_lifecycle_end_to_end and its neighbours: real sandboxed `ansible-playbook --check --diff`
// simulations, promotion jobs that stage real remediation runs, stale gates, revocation and the streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { openSse } from '../trust/sse-client.ts';
import { approver, createInstance, waitForRun } from './support.ts';
import { ansibleYaml, createWorkspace, gate, workspaces, type Versions } from './workspace-support.ts';

let platform: TestPlatform;
const workdir = `/tmp/mcp-workspace-test-${process.pid}`;
beforeAll(async () => {
  platform = await startTestPlatform({
    workers: ['workspace-simulate', 'workspace-promote', 'remediation-execute', 'remediation-deadline', 'sse-fanout'],
    env: { REMEDIATION_WORKDIR: workdir },
  });
});
afterAll(() => platform.close());

const ansiblePlaybook = (yaml: string) => ({ playbook_key: `a-${Math.random().toString(36).slice(2, 8)}`, executor_type: 'ansible', approval_required: true, timeout_seconds: 300, plan: { playbook_yaml: yaml } });

async function envelopeOf(id: number) {
  const response = await platform.api(`${workspaces}/${id}`);
  return { body: await response.json(), version: Number(JSON.parse(response.headers.get('etag') ?? '0')) };
}

/** Versions after the job changed the revision (read back from the envelope). */
async function versionsOf(id: number, revisionId: number): Promise<Versions> {
  const { body, version } = await envelopeOf(id);
  const revision = body.revisions.find((r: { revision: { id: number } }) => r.revision.id === revisionId).revision;
  return { workspace: version, revision: revision.version, revisionId };
}

async function simulated(id: number, revisionId: number) {
  return waitFor(() => envelopeOf(id), ({ body }) => body.revisions.find((r: { revision: { id: number } }) => r.revision.id === revisionId)?.revision.simulation_status !== 'running', { timeoutMs: 120_000, what: 'simulation gate settled' });
}

async function toReady(id: number, versions: Versions): Promise<Versions> {
  const schema = await gate(platform, id, versions, 'schema');
  const policy = await gate(platform, id, schema.next, 'policy');
  expect(policy.body.revision.policy_status).toBe('passed');
  const started = await gate(platform, id, policy.next, 'simulation');
  expect(started.response.status).toBe(202);
  await simulated(id, versions.revisionId);
  return versionsOf(id, versions.revisionId);
}

describe('remediation workspace lifecycle', () => {
  it('remediation_workspace_lifecycle_end_to_end: draft, revisions, schema and policy, a real --check --diff, promotion', { timeout: 240_000 }, async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const { id, versions, playbook } = await createWorkspace(platform, { targets: [vm], playbook: ansiblePlaybook(ansibleYaml('/tmp/motd', 'old\n')) });
    const stream = await openSse(`${platform.url}${workspaces}/${id}/stream`, await platform.token());
    const stale = { ...versions, workspace: versions.workspace };
    expect((await platform.api(`${workspaces}/${id}/revisions`, { method: 'POST', json: { expected_version: 7, plan: {} } })).status).toBe(409);
    const revised = await platform.api(`${workspaces}/${id}/revisions`, { method: 'POST', json: { expected_version: versions.workspace, plan: { playbook_yaml: ansibleYaml('/tmp/motd') }, lineage_labels: ['motd-fix'] } });
    expect(revised.status).toBe(201);
    const revision = (await revised.json()).revision;
    let current: Versions = { workspace: 2, revision: revision.version, revisionId: revision.id };
    for (const name of ['schema', 'policy', 'simulation', 'promotion'] as const) {
      expect((await gate(platform, id, { ...stale, revisionId: revision.id }, name)).response.status, name).toBe(409); // workspace 1 was read before the append
    }
    const schema = await gate(platform, id, current, 'schema');
    expect(schema.body.revision).toMatchObject({ schema_status: 'passed', state: 'validating' });
    const policy = await gate(platform, id, schema.next, 'policy');
    expect(policy.body.revision).toMatchObject({ policy_status: 'passed' });
    const started = await gate(platform, id, policy.next, 'simulation');
    expect(started.response.status).toBe(202);
    expect(started.body).toMatchObject({ sandbox_execution: { simulator_kind: 'ansible-check-diff', execution_state: 'pending' }, watch: { stream: `${workspaces}/${id}/stream` } });
    const { body: afterSimulation } = await simulated(id, revision.id);
    const execution = afterSimulation.sandbox_executions.at(-1);
    expect(execution).toMatchObject({ execution_state: 'completed', gate_status: 'passed' });
    expect(execution.tasks).toEqual([expect.objectContaining({ host: 'localhost', task: 'write the marker', result: 'changed' })]);
    expect(execution.tasks[0].diff).toContain('+managed by mcp');
    const ready = afterSimulation.revisions.at(-1);
    expect(ready).toMatchObject({ revision: { state: 'ready' }, actions: { can_promote: true }, awaiting: 'promotion' });
    current = await versionsOf(id, revision.id);
    expect((await gate(platform, id, { ...current, revision: current.revision - 1 }, 'promotion')).response.status).toBe(409);
    const promoted = await gate(platform, id, current, 'promotion', { track_name: 'stable', stage: 'production' });
    expect(promoted.response.status).toBe(202);
    expect(promoted.body.promotion_runs).toEqual([expect.objectContaining({ runtime_vm_instance_id: vm, phase: 'pending', promotion_gate_context: expect.objectContaining({ lane: 'stable', stage: 'production' }) })]);
    const staged = await waitFor(() => envelopeOf(id), ({ body }) => body.promotions[0]?.promotion_runs[0]?.phase === 'staged', { timeoutMs: 30_000, what: 'target staged' });
    const target = staged.body.promotions[0].promotion_runs[0];
    expect(target).toMatchObject({ posture_verdict: { allowed: true, track_name: 'stable', stage: 'production' }, automation_payload: { playbook_version: 2, lane: 'stable' } });
    const [catalog] = await platform.db.sql`SELECT version, plan FROM runtime_vm_remediation_playbooks WHERE id = ${playbook.id}`;
    expect(catalog).toMatchObject({ version: 2, plan: { playbook_yaml: ansibleYaml('/tmp/motd') } });
    const runStream = await openSse(`${platform.url}/api/trust/remediation/stream?run_id=${target.remediation_run_id}`, await platform.token());
    const [created] = await runStream.next(1, 30_000);
    runStream.close();
    expect(created).toMatchObject({ event: 'run.created', data: { automation_payload: { promotion_id: promoted.body.promotion.id, playbook_version: 2, lane: 'stable' }, promotion_gate_context: { lane: 'stable', stage: 'production' } } });
    const run = await (await platform.api(`/api/trust/remediation/runs/${target.remediation_run_id}`)).json();
    expect(run).toMatchObject({ status: 'pending', approval_state: 'pending', playbook_version: 2, trigger: 'promotion' });
    const approved = await platform.api(`/api/trust/remediation/runs/${run.id}/approval`, { method: 'POST', as: approver(), json: { decision: 'approve', version: run.version } });
    expect(approved.status).toBe(200);
    await waitForRun(platform, run.id, (row) => row.status === 'succeeded', 120_000);
    const finished = await waitFor(() => envelopeOf(id), ({ body }) => body.promotions[0]?.status === 'succeeded', { timeoutMs: 30_000, what: 'promotion finished' });
    expect(finished.body.workspace.lifecycle_state).toBe('promoted');
    expect(finished.body.revisions.at(-1)).toMatchObject({ revision: { state: 'promoted', promotion_status: 'passed' }, terminal: true });
    expect(finished.body.promotions[0]).toMatchObject({ counts: { succeeded: 1 }, playbook_version: 2 });
    await waitFor(async () => stream.events.map((event) => event.event), (names) => names.includes('promotion.finished'), { timeoutMs: 30_000, what: 'promotion.finished on the workspace stream' });
    const events = stream.events.map((event) => event.event);
    expect(events.slice(0, 3)).toEqual(['workspace.created', 'revision.appended', 'gate.schema']);
    expect(events).toEqual(expect.arrayContaining(['gate.policy', 'gate.simulation', 'promotion.started', 'promotion.applied', 'promotion.finished']));
    expect(stream.events.map((event) => event.id)).toEqual([...stream.events.map((event) => event.id)].sort((a, b) => a - b));
    stream.close();
  });

  it('answers 409 gate-stale naming what changed when the catalog playbook or a target registry moved after simulation', { timeout: 240_000 }, async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const { id, versions, playbook } = await createWorkspace(platform, { targets: [vm], playbook: ansiblePlaybook(ansibleYaml('/tmp/a')) });
    const ready = await toReady(id, versions);
    await platform.db.sql`UPDATE runtime_vm_trust_registry SET version = version + 1 WHERE vm_instance_id = ${vm}`;
    const edited = await platform.api(`/api/trust/remediation/playbooks/${playbook.id}`, { method: 'PATCH', json: { version: 1, description: 'edited by hand' } });
    expect(edited.status).toBe(200);
    const refused = await gate(platform, id, ready, 'promotion');
    expect(refused.response.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'gate-stale' });
    expect(refused.body.changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ gate: 'simulation', field: `registry_versions.${vm}` }),
      expect.objectContaining({ gate: 'policy', field: 'playbook_version', judged: 1, current: 2 }),
    ]));
    const { body } = await envelopeOf(id);
    expect(body.revisions.at(-1)).toMatchObject({ revision: { state: 'validating', simulation_status: 'stale', policy_status: 'stale', promotion_status: 'stale' }, actions: { can_promote: false } });
    expect(body.promotions).toEqual([]);
  });

  it('answers 409 gate-stale when the stored plan no longer has the digest the gates judged', { timeout: 240_000 }, async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const { id, versions } = await createWorkspace(platform, { targets: [vm], playbook: ansiblePlaybook(ansibleYaml('/tmp/b')) });
    const ready = await toReady(id, versions);
    await platform.db.sql`UPDATE runtime_vm_remediation_workspace_revisions SET plan = jsonb_set(plan, '{extra_vars}', '{"tampered": true}') WHERE id = ${ready.revisionId}`;
    const refused = await gate(platform, id, ready, 'promotion');
    expect(refused.response.status).toBe(409);
    expect(refused.body.changes).toEqual(expect.arrayContaining([expect.objectContaining({ gate: 'schema', field: 'plan_sha256' })]));
  });

  it('revokes ready when a re-validation fails, and never promotes an inconclusive simulation', { timeout: 240_000 }, async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const yaml = `${ansibleYaml('/tmp/c')}    - name: run a command\n      ansible.builtin.command: /bin/true\n`;
    const { id, versions } = await createWorkspace(platform, { targets: [vm], playbook: ansiblePlaybook(yaml) });
    const schema = await gate(platform, id, versions, 'schema');
    const policy = await gate(platform, id, schema.next, 'policy');
    await gate(platform, id, policy.next, 'simulation');
    const { body } = await simulated(id, versions.revisionId);
    expect(body.sandbox_executions.at(-1).tasks.map((task: { result: string }) => task.result)).toEqual(['changed', 'skipped-in-check']);
    expect(body.revisions.at(-1)).toMatchObject({ revision: { simulation_status: 'inconclusive', state: 'validating' }, actions: { can_promote: false, can_override: false } });
    const refused = await gate(platform, id, await versionsOf(id, versions.revisionId), 'promotion');
    expect(refused.response.status).toBe(409);
    expect(refused.body.code).toBe('invalid-state');

    const other = await createWorkspace(platform, { targets: [vm], playbook: ansiblePlaybook(ansibleYaml('/tmp/d')) });
    const ready = await toReady(other.id, other.versions);
    await platform.db.sql`UPDATE runtime_vm_trust_registry SET lifecycle_state = 'quarantined' WHERE vm_instance_id = ${vm}`;
    const recheck = await gate(platform, other.id, ready, 'policy');
    expect(recheck.body).toMatchObject({ revision: { policy_status: 'failed', state: 'validating' }, actions: { can_promote: false } });
    expect((await gate(platform, other.id, recheck.next, 'promotion')).response.status).toBe(409);
  });

  it('remediation_workspace_promotion_multiple_targets: three postures, a quarantined target refused with its reason', { timeout: 240_000 }, async () => {
    const trusted = await createInstance(platform, { quarantined: false });
    const suspect = await createInstance(platform, { quarantined: false });
    await platform.db.sql`UPDATE runtime_vm_trust_registry SET lifecycle_state = 'suspect', freshness_deadline = now() + interval '1 hour' WHERE vm_instance_id = ${suspect}`;
    const quarantined = await createInstance(platform);
    const plan = { command: '/bin/true', simulate: { command: '/bin/sh', args: ['-c', 'echo "+ motd: managed"; exit 2'] } };
    const { id, versions, playbook } = await createWorkspace(platform, {
      targets: [trusted, suspect, quarantined],
      playbook: { playbook_key: `s-${Math.random().toString(36).slice(2, 8)}`, executor_type: 'shell', approval_required: false, retry_limit: 0, plan },
    });
    const schema = await gate(platform, id, versions, 'schema');
    const policy = await gate(platform, id, schema.next, 'policy');
    const failed = policy.body.revision.policy_veto_reasons.map((rule: { rule: string }) => rule.rule);
    expect(failed.sort()).toEqual(['human-approval', `target-posture:${quarantined}`].sort());
    const overridden = await gate(platform, id, policy.next, 'policy', { override: { reason: 'quarantined target is refused at staging' } }, approver());
    await gate(platform, id, overridden.next, 'simulation');
    const { body } = await simulated(id, versions.revisionId);
    expect(body.sandbox_executions.at(-1)).toMatchObject({ simulator_kind: 'shell-plan-mode', gate_status: 'passed', tasks: [{ result: 'changed', diff: '+ motd: managed' }] });
    const promoted = await gate(platform, id, await versionsOf(id, versions.revisionId), 'promotion', { max_parallel: 2, stop_on_first_failure: false, track_name: 'canary', stage: 'staging' });
    expect(promoted.response.status).toBe(202);
    expect(promoted.body.promotion_runs.map((run: { runtime_vm_instance_id: number }) => run.runtime_vm_instance_id)).toEqual([trusted, suspect, quarantined]);
    const done = await waitFor(() => envelopeOf(id), ({ body: now }) => ['succeeded', 'partial', 'failed'].includes(now.promotions[0]?.status), { timeoutMs: 120_000, what: 'promotion finished' });
    const [promotion] = done.body.promotions;
    expect(promotion).toMatchObject({ status: 'partial', counts: { succeeded: 2, refused: 1 }, track_name: 'canary', stage: 'staging' });
    const byTarget = Object.fromEntries(promotion.promotion_runs.map((run: { runtime_vm_instance_id: number }) => [run.runtime_vm_instance_id, run]));
    for (const vm of [trusted, suspect]) {
      expect(byTarget[vm]).toMatchObject({ phase: 'succeeded', playbook_id: playbook.id, playbook_version: 2, automation_payload: { playbook_key: expect.any(String), lane: 'canary', stage: 'staging' }, posture_verdict: { allowed: true, track_name: 'canary' } });
    }
    expect(byTarget[suspect].trust_posture).toMatchObject({ lifecycle_state: 'suspect' });
    expect(byTarget[quarantined]).toMatchObject({
      phase: 'refused', remediation_run_id: null, refusal_reason: 'the instance is quarantined until remediation restores it',
      posture_verdict: { allowed: false, remediation_hooks: ['policy_hook:remediation_gate=quarantined'] }, trust_posture: { lifecycle_state: 'quarantined' },
    });
    const [stored] = await platform.db.sql`SELECT posture_verdict FROM runtime_vm_remediation_promotion_runs WHERE runtime_vm_instance_id = ${quarantined}`;
    expect(stored?.posture_verdict.veto_reasons).toEqual(['the instance is quarantined until remediation restores it']);
  });
});
