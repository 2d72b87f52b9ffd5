// One step of a promotion job, in one transaction. Step 0 re-checks the gates' bindings (stale: the promotion
// stops and the gates are revoked) and applies the revision's plan to the catalog playbook, bumping its version.
// Every step then mirrors the staged runs into target phases and stages the next window of targets through the
// normal run-creation path (sql/remediation-run-actions.ts createRun: approval, deadlines, registry, stream),
// refusing a target whose trust posture the placement gate vetoes. The caller re-adds the job until it finishes.
import { countPhases, planStep, postureVerdict, promotionOutcome, type TargetPhase } from '../core/promotion-plan.ts';
import type { RunStatus } from '../core/remediation-status.ts';
import { createRun } from './remediation-run-actions.ts';
import type { UnitOfWork } from './unit-of-work.ts';
import { emitWorkspaceEvent, stepRevision, writePair, type GatePair } from './workspace-gates.ts';
import { revokeStale, staleBindings } from './workspace-promotion.ts';
import { listPromotionRuns, lockPromotion, patchPromotion, patchPromotionRun, type PromotionRow, type PromotionRunRow } from './workspace-promotions.ts';
import { getRevision, getWorkspace } from './workspaces.ts';
import { findVmInstance } from './vm-instances.ts';
import { readTargets } from './workspace-targets.ts';

export type StepResult = { done: true; status: string } | { done: false; staged: number };

const finishedStatuses = new Set(['succeeded', 'partial', 'failed', 'stale', 'cancelled']);

async function applyToCatalog(uow: UnitOfWork, pair: GatePair, promotion: PromotionRow): Promise<PromotionRow> {
  const [playbook] = await uow.tx<{ version: number }[]>`
    UPDATE runtime_vm_remediation_playbooks SET plan = ${uow.tx.json(pair.revision.plan as never)}, version = version + 1, updated_at = now()
    WHERE id = ${promotion.playbook_id} AND deleted_at IS NULL
    RETURNING version`;
  const applied = await patchPromotion(uow.tx, promotion.id, { status: 'running', playbook_version: playbook!.version, started_at: new Date() });
  emitWorkspaceEvent(uow, pair, 'promotion.applied', { promotion_id: promotion.id, playbook_id: promotion.playbook_id, playbook_version: playbook!.version });
  return applied;
}

async function stageTarget(uow: UnitOfWork, promotion: PromotionRow, target: PromotionRunRow, approvalTtlSeconds: number): Promise<TargetPhase> {
  const { tx } = uow;
  const track = { name: promotion.track_name, tier: promotion.track_tier, stage: promotion.stage };
  const [registry] = await readTargets(tx, promotion.owner_id, [target.runtime_vm_instance_id]);
  const instance = await findVmInstance(tx, promotion.owner_id, target.runtime_vm_instance_id);
  const verdict = postureVerdict(registry, new Date(), track);
  if (instance?.terminated_at !== null) { verdict.allowed = false; verdict.veto_reasons.push('the instance was terminated'); }
  const trustPosture = { lifecycle_state: registry!.lifecycle_state, attestation_status: registry!.attestation_status, remediation_state: registry!.remediation_state, registry_version: registry!.version };
  const [playbook] = await tx<{ id: number; version: number; approval_required: boolean; sla_duration_seconds: number; retry_limit: number; owner_assignment: string | null; playbook_key: string; executor_type: string }[]>`
    SELECT * FROM runtime_vm_remediation_playbooks WHERE id = ${promotion.playbook_id}`;
  const automation = { playbook_id: playbook!.id, playbook_key: playbook!.playbook_key, playbook_version: playbook!.version, executor_type: playbook!.executor_type, lane: track.name, stage: track.stage, promotion_id: promotion.id };
  const common = { trust_posture: trustPosture, posture_verdict: verdict, automation_payload: automation, playbook_version: playbook!.version };
  if (!verdict.allowed) {
    await patchPromotionRun(tx, target.id, { ...common, phase: 'refused', refusal_reason: verdict.veto_reasons.join('; ') });
    return 'refused';
  }
  const run = await createRun(uow, {
    ownerId: promotion.owner_id, vmInstanceId: target.runtime_vm_instance_id, playbook: playbook!, requestedBy: promotion.requested_by, trigger: 'promotion',
    metadata: { promotion_id: promotion.id, workspace_id: promotion.workspace_id, revision_id: promotion.revision_id, automation_payload: automation, promotion_gate_context: target.promotion_gate_context, posture_verdict: verdict },
    approvalTtlSeconds,
  }, 'skip');
  if (run === undefined) {
    await patchPromotionRun(tx, target.id, { ...common, phase: 'refused', refusal_reason: 'the instance already has an active remediation run' });
    return 'refused';
  }
  await patchPromotionRun(tx, target.id, { ...common, phase: 'staged', remediation_run_id: run.id });
  return 'staged';
}

async function finish(uow: UnitOfWork, pair: GatePair, promotion: PromotionRow, counts: Record<TargetPhase, number>): Promise<StepResult> {
  const status = promotionOutcome(counts);
  const verdict = { allowed: status !== 'failed', veto_reasons: status === 'failed' ? ['no target was remediated'] : [], signals: [`promotion:${status}`], remediation_hooks: [] };
  await patchPromotion(uow.tx, promotion.id, { status, counts, completed_at: new Date(), posture_verdict: verdict });
  const next = stepRevision(pair.revision, [{ kind: status === 'failed' ? 'promotion-failed' : 'promotion-succeeded' }]);
  const written = await writePair(uow.tx, pair, next, { promoted_at: new Date() }, status === 'failed' ? 'draft' : 'promoted');
  emitWorkspaceEvent(uow, written, 'promotion.finished', { promotion_id: promotion.id, status, counts });
  return { done: true, status };
}

export async function runPromotionStep(uow: UnitOfWork, promotionId: number, step: number, approvalTtlSeconds: number): Promise<StepResult> {
  const { tx } = uow;
  let promotion = await lockPromotion(tx, promotionId);
  if (promotion === undefined || finishedStatuses.has(promotion.status)) return { done: true, status: promotion?.status ?? 'unknown' };
  const workspace = await getWorkspace(tx, promotion.owner_id, promotion.workspace_id, true);
  const pair = { workspace, revision: await getRevision(tx, workspace, promotion.revision_id, true) };
  if (promotion.status === 'pending') {
    const { changes, current } = await staleBindings(tx, pair);
    if (changes.length > 0) {
      await patchPromotion(tx, promotion.id, { status: 'stale', failure_reason: changes.map((change) => change.field).join(', '), completed_at: new Date() });
      await revokeStale(uow, pair, changes, current, 'promotion-job');
      return { done: true, status: 'stale' };
    }
    promotion = await applyToCatalog(uow, pair, promotion);
  }
  const targets = await listPromotionRuns(tx, promotion.id);
  const runs = await tx<{ id: number; status: RunStatus }[]>`
    SELECT id, status FROM runtime_vm_remediation_runs WHERE id = ANY(${targets.flatMap((t) => (t.remediation_run_id === null ? [] : [t.remediation_run_id]))}::bigint[])`;
  const statusOf = new Map(runs.map((run) => [run.id, run.status]));
  const plan = planStep(
    targets.map((t) => ({ id: t.id, phase: t.phase, run_status: t.remediation_run_id === null ? null : (statusOf.get(t.remediation_run_id) ?? null) })),
    { maxParallel: promotion.max_parallel, stopOnFirstFailure: promotion.stop_on_first_failure },
  );
  const phases = new Map(targets.map((t) => [t.id, t.phase]));
  for (const update of plan.updates) { await patchPromotionRun(tx, update.id, { phase: update.phase }); phases.set(update.id, update.phase); }
  for (const id of plan.stage) phases.set(id, await stageTarget(uow, promotion, targets.find((t) => t.id === id)!, approvalTtlSeconds));
  const counts = countPhases([...phases.values()]);
  const settled = [...phases.values()].every((phase) => !['pending', 'staged', 'running'].includes(phase));
  if (settled) return finish(uow, pair, promotion, counts);
  await patchPromotion(tx, promotion.id, { counts });
  if (plan.updates.length > 0 || plan.stage.length > 0) emitWorkspaceEvent(uow, pair, 'promotion.progress', { promotion_id: promotion.id, step, counts });
  return { done: false, staged: plan.stage.length };
}
