// The synchronous workspace writes, each in the caller's unit of work: create (with revision 1), append a revision
// (superseding the previous one), record the schema and policy gates, and abandon. Simulation and promotion only
// start here; their jobs finish them (workers/workspace-simulate.ts, workers/workspace-promote.ts).
import { randomUUID } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import type { AuthClaims } from '../core/schemas/common.ts';
import type { AppendRevisionBody, CreateWorkspaceBody, PolicyBody } from '../core/schemas/workspaces.ts';
import { evaluatePolicy } from '../core/workspace-policy.ts';
import { isTerminal } from '../core/workspace-revision.ts';
import { validatePlan } from '../core/workspace-schema-gate.ts';
import { findPlaybook } from './remediation-playbooks.ts';
import type { UnitOfWork } from './unit-of-work.ts';
import { emitWorkspaceEvent, insertSnapshot, lockPair, stepRevision, writePair, type Expected, type GatePair } from './workspace-gates.ts';
import { currentBindings, readTargets, readWorkspacePlaybook } from './workspace-targets.ts';
import { appendRevision, getRevision, getWorkspace, insertWorkspace, workspaceConflict } from './workspaces.ts';

export async function createWorkspace(uow: UnitOfWork, auth: AuthClaims, body: CreateWorkspaceBody): Promise<GatePair> {
  const playbook = await findPlaybook(uow.tx, auth.owner, { id: body.playbook_id });
  if (playbook === undefined) {
    throw new AppError('validation-failed', 'the playbook does not exist', { errors: [{ path: 'body.playbook_id', code: 'unknown-playbook', message: 'no such playbook' }] });
  }
  if (body.targets.length > 0) await readTargets(uow.tx, auth.owner, body.targets);
  const pair = await insertWorkspace(
    uow.tx,
    { ownerId: auth.owner, actor: auth.sub, key: body.workspace_key, displayName: body.display_name, description: body.description, playbook, lineageTags: body.lineage_tags, metadata: body.metadata },
    { plan: body.plan ?? playbook.plan, targets: body.targets, allowUnsimulated: body.allow_unsimulated, lineageLabels: body.lineage_labels, metadata: {}, basePlaybookVersion: playbook.version },
  );
  emitWorkspaceEvent(uow, pair, 'workspace.created');
  return pair;
}

export async function addRevision(uow: UnitOfWork, auth: AuthClaims, id: number, expected: number, body: AppendRevisionBody): Promise<GatePair> {
  const { tx } = uow;
  const current = await getWorkspace(tx, auth.owner, id, true);
  if (current.version !== expected) throw workspaceConflict(current, expected);
  const previous = current.active_revision_id === null ? undefined : await getRevision(tx, current, current.active_revision_id, true);
  if (previous?.state === 'promoting') throw new AppError('invalid-state', `revision ${previous.id} is being promoted`);
  const targets = body.targets ?? previous?.targets ?? [];
  if (targets.length > 0) await readTargets(tx, auth.owner, targets);
  const playbook = await readWorkspacePlaybook(tx, current);
  const pair = await appendRevision(tx, auth.owner, id, expected, auth.sub, {
    plan: body.plan, targets, allowUnsimulated: body.allow_unsimulated ?? previous?.allow_unsimulated ?? false,
    lineageLabels: body.lineage_labels, metadata: body.metadata, basePlaybookVersion: playbook.version,
  });
  if (previous !== undefined && !isTerminal(previous.state)) {
    const next = stepRevision(previous, [{ kind: 'supersede' }]);
    await tx`UPDATE runtime_vm_remediation_workspace_revisions SET state = ${next.state}, version = version + 1, updated_at = now() WHERE id = ${previous.id}`;
  }
  emitWorkspaceEvent(uow, pair, 'revision.appended', { superseded_revision_id: previous?.id ?? null });
  return pair;
}

export async function recordSchemaGate(uow: UnitOfWork, auth: AuthClaims, id: number, rid: number, expected: Expected, notes: string[]): Promise<GatePair> {
  const pair = await lockPair(uow.tx, auth.owner, id, rid, expected);
  const playbook = await readWorkspacePlaybook(uow.tx, pair.workspace);
  const verdict = validatePlan(playbook.executor_type, pair.revision.plan);
  const next = stepRevision(pair.revision, [{ kind: 'gate', gate: 'schema', event: 'start' }, { kind: 'gate', gate: 'schema', event: verdict.passed ? 'pass' : 'fail' }]);
  const written = await writePair(uow.tx, pair, next, { schema_errors: verdict.errors, schema_validated_at: new Date() });
  const snapshot = await insertSnapshot(uow.tx, pair.revision, {
    gate: 'schema', status: next.gates.schema, bindings: currentBindings(pair.revision, playbook, []), errors: verdict.errors,
    gateContext: { validator: `zod:${playbook.executor_type}-plan`, executor_type: playbook.executor_type }, notes, recordedBy: auth.sub,
  });
  emitWorkspaceEvent(uow, written, 'gate.schema', { status: next.gates.schema, snapshot_id: snapshot.id, errors: verdict.errors });
  return written;
}

async function overridePolicy(uow: UnitOfWork, auth: AuthClaims, pair: GatePair, reason: string, notes: string[]): Promise<GatePair> {
  if (!auth.roles.includes('approver')) throw new AppError('forbidden', 'overriding a policy failure needs the approver role');
  if (pair.revision.created_by === auth.sub) throw new AppError('approval-not-allowed', 'the author of a revision cannot override its policy gate');
  const next = stepRevision(pair.revision, [{ kind: 'gate', gate: 'policy', event: 'override' }]);
  const written = await writePair(uow.tx, pair, next, { policy_overridden_by: auth.sub, policy_override_reason: reason, policy_overridden_at: new Date() });
  const playbook = await readWorkspacePlaybook(uow.tx, pair.workspace);
  const targets = await readTargets(uow.tx, auth.owner, pair.revision.targets);
  const snapshot = await insertSnapshot(uow.tx, pair.revision, {
    gate: 'policy', status: 'overridden', bindings: currentBindings(pair.revision, playbook, targets), decisionId: pair.revision.policy_decision_id ?? undefined,
    rules: pair.revision.policy_veto_reasons, gateContext: { override: { by: auth.sub, reason } }, notes: [...notes, `override: ${reason}`], recordedBy: auth.sub,
  });
  emitWorkspaceEvent(uow, written, 'gate.policy', { status: 'overridden', snapshot_id: snapshot.id, overridden_by: auth.sub });
  return written;
}

export async function recordPolicyGate(uow: UnitOfWork, auth: AuthClaims, id: number, rid: number, expected: Expected, body: PolicyBody): Promise<GatePair> {
  const pair = await lockPair(uow.tx, auth.owner, id, rid, expected);
  if (body.override !== undefined) return overridePolicy(uow, auth, pair, body.override.reason, body.notes);
  const playbook = await readWorkspacePlaybook(uow.tx, pair.workspace);
  const targets = await readTargets(uow.tx, auth.owner, pair.revision.targets);
  const verdict = evaluatePolicy({
    executorType: playbook.executor_type, plan: pair.revision.plan, approvalRequired: playbook.approval_required, allowUnsimulated: pair.revision.allow_unsimulated,
    targets: targets.map((row) => ({ vmInstanceId: row.vm_instance_id, snapshot: row })), now: new Date(),
  });
  const decisionId = randomUUID();
  const outcome = verdict.outcome === 'passed' ? 'pass' : 'fail';
  const next = stepRevision(pair.revision, [{ kind: 'gate', gate: 'policy', event: 'start' }, { kind: 'gate', gate: 'policy', event: outcome, hard: !verdict.overridable }]);
  const failed = verdict.rules.filter((rule) => rule.outcome === 'failed');
  const written = await writePair(uow.tx, pair, next, {
    policy_veto_reasons: failed, policy_decision_id: decisionId, policy_evaluated_at: new Date(),
    policy_overridden_by: null, policy_override_reason: null, policy_overridden_at: null,
  });
  const snapshot = await insertSnapshot(uow.tx, pair.revision, {
    gate: 'policy', status: next.gates.policy, bindings: currentBindings(pair.revision, playbook, targets), decisionId, rules: verdict.rules,
    gateContext: { overridable: verdict.overridable, evaluator: 'core/placement-gate.ts' }, notes: body.notes, recordedBy: auth.sub,
  });
  emitWorkspaceEvent(uow, written, 'gate.policy', { status: next.gates.policy, snapshot_id: snapshot.id, decision_id: decisionId, overridable: verdict.overridable });
  return written;
}

export async function abandonWorkspace(uow: UnitOfWork, auth: AuthClaims, id: number, expected: number, reason: string | undefined): Promise<GatePair> {
  const { tx } = uow;
  const workspace = await getWorkspace(tx, auth.owner, id, true);
  if (workspace.version !== expected) throw workspaceConflict(workspace, expected);
  if (workspace.lifecycle_state === 'abandoned') throw new AppError('invalid-state', `workspace ${id} is already abandoned`);
  const revision = await getRevision(tx, workspace, workspace.active_revision_id ?? 0, true);
  const next = isTerminal(revision.state) ? { state: revision.state, gates: stepRevision(revision, []).gates } : stepRevision(revision, [{ kind: 'abandon' }]);
  const written = await writePair(tx, { workspace, revision }, next, {}, 'abandoned');
  emitWorkspaceEvent(uow, written, 'workspace.abandoned', { reason: reason ?? null, actor: auth.sub });
  return written;
}
