import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { approver, createInstance } from './support.ts';
import { ansibleYaml, createWorkspace, gate, workspaces } from './workspace-support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

const ansiblePlaybook = (yaml: string) => ({ playbook_key: `a-${Math.random().toString(36).slice(2, 8)}`, executor_type: 'ansible', approval_required: true, plan: { playbook_yaml: yaml } });

describe('remediation workspaces', () => {
  it('creates a draft seeded with revision 1 and serves its version as an ETag', async () => {
    const vm = await createInstance(platform, { quarantined: false });
    const { id, envelope } = await createWorkspace(platform, { targets: [vm] });
    expect(envelope.workspace).toMatchObject({ lifecycle_state: 'draft', version: 1, executor_type: 'shell' });
    expect(envelope.revisions[0]).toMatchObject({ revision: { revision_number: 1, state: 'draft', targets: [vm], plan: { command: '/bin/true' } }, terminal: false, awaiting: 'schema' });
    expect(envelope.revisions[0].actions).toEqual({ can_validate: true, can_simulate: false, can_promote: false, can_override: false, can_abandon: true });
    expect(envelope.revisions[0].revision.plan_sha256).toMatch(/^[0-9a-f]{64}$/);
    const got = await platform.api(`${workspaces}/${id}`);
    expect(got.headers.get('etag')).toBe('"1"');
  });

  it('appends a revision under If-Match, supersedes the previous one, and answers 409 with current_version on a stale version', async () => {
    const { id } = await createWorkspace(platform);
    const appended = await platform.api(`${workspaces}/${id}/revisions`, { method: 'POST', headers: { 'if-match': '"1"' }, json: { plan: { command: '/bin/echo', args: ['v2'] }, lineage_labels: ['fix'] } });
    expect(appended.status).toBe(201);
    expect(appended.headers.get('etag')).toBe('"2"');
    expect((await appended.json()).revision).toMatchObject({ revision_number: 2, lineage_labels: ['fix'] });
    const stale = await platform.api(`${workspaces}/${id}/revisions`, { method: 'POST', json: { expected_version: 1, plan: { command: '/bin/true' } } });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: 'version-conflict', current_version: 2 });
    const envelope = await (await platform.api(`${workspaces}/${id}`)).json();
    expect(envelope.revisions.map((r: { revision: { state: string } }) => r.revision.state)).toEqual(['superseded', 'draft']);
  });

  it('lets exactly one of 20 concurrent appends with the same expected version win', async () => {
    const { id } = await createWorkspace(platform);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, n) => platform.api(`${workspaces}/${id}/revisions`, { method: 'POST', json: { expected_version: 1, plan: { command: '/bin/echo', args: [String(n)] } } }).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_workspace_revisions WHERE workspace_id = ${id}`;
    expect(row?.n).toBe(2);
  });

  it('records a schema failure with error vectors (YAML that is not a playbook) and rejects the revision', async () => {
    const { id, versions } = await createWorkspace(platform, { playbook: ansiblePlaybook(ansibleYaml('/tmp/x')), plan: { playbook_yaml: 'hosts: [unclosed' } });
    const { response, body } = await gate(platform, id, versions, 'schema');
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ revision: { schema_status: 'failed', state: 'rejected' }, terminal: true, awaiting: null });
    expect(body.revision.schema_errors[0]).toMatchObject({ path: 'plan.playbook_yaml' });
    const [snapshot] = await platform.db.sql`SELECT status, errors, plan_sha256 FROM runtime_vm_remediation_workspace_validation_snapshots WHERE workspace_id = ${id}`;
    expect(snapshot).toMatchObject({ status: 'failed', plan_sha256: body.revision.plan_sha256 });
  });

  it('answers 409 naming both versions when the revision version is stale, and writes nothing', async () => {
    const { id, versions } = await createWorkspace(platform);
    const { response, body } = await gate(platform, id, { ...versions, revision: versions.revision + 5 }, 'schema');
    expect(response.status).toBe(409);
    expect(body).toMatchObject({ code: 'version-conflict', current_version: 1, current_revision_version: 1 });
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_workspace_validation_snapshots WHERE workspace_id = ${id}`;
    expect(row?.n).toBe(0);
  });

  it('records every policy rule under one decision id; a soft failure is overridden only by an approver who is not the author', async () => {
    const quarantined = await createInstance(platform);
    const { id, versions } = await createWorkspace(platform, { targets: [quarantined] });
    const schema = await gate(platform, id, versions, 'schema');
    const policy = await gate(platform, id, schema.next, 'policy');
    expect(policy.body).toMatchObject({ revision: { policy_status: 'failed', state: 'validating' }, actions: { can_override: true, can_promote: false }, awaiting: 'override' });
    const [snapshot] = await platform.db.sql`SELECT decision_id, rules FROM runtime_vm_remediation_workspace_validation_snapshots WHERE workspace_id = ${id} AND snapshot_type = 'policy'`;
    expect(snapshot?.decision_id).toBe(policy.body.revision.policy_decision_id);
    expect(snapshot?.rules).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 'targets-declared', outcome: 'passed' }),
      expect.objectContaining({ rule: `target-posture:${quarantined}`, outcome: 'failed', severity: 'soft', detail: 'the instance is quarantined until remediation restores it' }),
    ]));
    const byAuthor = await gate(platform, id, policy.next, 'policy', { override: { reason: 'mine' } }, { sub: 'alice', roles: ['approver'] });
    expect(byAuthor.response.status).toBe(403);
    const byOperator = await gate(platform, id, policy.next, 'policy', { override: { reason: 'x' } });
    expect(byOperator.response.status).toBe(403);
    const overridden = await gate(platform, id, policy.next, 'policy', { override: { reason: 'known quarantine, fix targets it' } }, approver());
    expect(overridden.body).toMatchObject({ revision: { policy_status: 'overridden', policy_overridden_by: 'bob', policy_override_reason: 'known quarantine, fix targets it' }, actions: { can_simulate: true } });
  });

  it('rejects a hard policy failure (no targets) for good', async () => {
    const { id, versions } = await createWorkspace(platform);
    const policy = await gate(platform, id, versions, 'policy');
    expect(policy.body).toMatchObject({ revision: { policy_status: 'failed', state: 'rejected' }, terminal: true, actions: { can_override: false } });
  });

  it('abandons a workspace from any non-terminal state; a second abandon is a 409', async () => {
    const { id } = await createWorkspace(platform);
    const abandoned = await platform.api(`${workspaces}/${id}/abandon`, { method: 'POST', json: { expected_version: 1, reason: 'not needed' } });
    expect(abandoned.status).toBe(200);
    expect(await abandoned.json()).toMatchObject({ revision: { state: 'abandoned' }, terminal: true });
    const again = await platform.api(`${workspaces}/${id}/abandon`, { method: 'POST', json: { expected_version: 2 } });
    expect(again.status).toBe(409);
  });

  it('answers 404 on every workspace route for another owner, and writes nothing', async () => {
    const { id, versions } = await createWorkspace(platform);
    const other = { owner: 'globex' };
    const gates = ['schema', 'policy', 'simulation', 'promotion'] as const;
    const statuses = [
      (await platform.api(`${workspaces}/${id}`, { as: other })).status,
      (await platform.api(`${workspaces}/${id}/stream`, { as: other })).status,
      (await platform.api(`${workspaces}/${id}/revisions`, { method: 'POST', as: other, json: { expected_version: 1, plan: {} } })).status,
      (await platform.api(`${workspaces}/${id}/abandon`, { method: 'POST', as: other, json: { expected_version: 1 } })).status,
      ...(await Promise.all(gates.map(async (name) => (await gate(platform, id, versions, name, {}, other)).response.status))),
    ];
    expect(statuses).toEqual(Array(8).fill(404));
    const list = await (await platform.api(workspaces, { as: other })).json();
    expect(list.items.map((item: { workspace: { id: number } }) => item.workspace.id)).not.toContain(id);
    const [row] = await platform.db.sql`SELECT version FROM runtime_vm_remediation_workspaces WHERE id = ${id}`;
    expect(row?.version).toBe(1);
  });
});
