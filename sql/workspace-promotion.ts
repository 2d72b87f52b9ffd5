// Starting a promotion in the request's transaction: re-check every gate's bindings against the facts now (plan
// digest, catalog playbook version, targets' registry versions). A change marks the gates that judged it `stale`
// (committed) and the caller answers 409 naming it; otherwise the revision is promoting, the promotion and one
// pending row per target exist, and the promotion job is on its way.
import { bindingChanges, describeChanges, type BindingChange, type Bindings } from '../core/workspace-bindings.ts';
import { isSatisfied, validationGates, type ValidationGate } from '../core/workspace-gate.ts';
import type { AuthClaims } from '../core/schemas/common.ts';
import type { PromotionBody } from '../core/schemas/workspaces.ts';
import { promoteJobId, workspacePromoteQueue } from '../queues/workspace-promote.ts';
import type { Queryable } from './db.ts';
import type { UnitOfWork } from './unit-of-work.ts';
import { emitWorkspaceEvent, insertSnapshot, latestSnapshots, lockPair, stepRevision, writePair, type Expected, type GatePair } from './workspace-gates.ts';
import { insertPromotion, type PromotionRow, type PromotionRunRow } from './workspace-promotions.ts';
import { currentBindings, readTargets, readWorkspacePlaybook } from './workspace-targets.ts';
import { planDigest } from '../core/canonical-plan.ts';

/** Every binding of the revision's satisfied gates that no longer holds. */
export async function staleBindings(sql: Queryable, pair: GatePair): Promise<{ changes: BindingChange[]; current: Bindings }> {
  const playbook = await readWorkspacePlaybook(sql, pair.workspace, true);
  const targets = await readTargets(sql, pair.workspace.owner_id, pair.revision.targets);
  // The plan as stored now, digested again: a plan changed under the revision is caught here, not trusted.
  const current = { ...currentBindings(pair.revision, playbook, targets), plan_sha256: planDigest(pair.revision.plan) };
  const latest = await latestSnapshots(sql, pair.revision.id);
  const changes = validationGates.flatMap((gate) => {
    const snapshot = latest.find((row) => row.snapshot_type === gate);
    return snapshot === undefined || !isSatisfied(snapshot.status) ? [] : bindingChanges(gate, snapshot, current);
  });
  return { changes, current };
}

/** Mark the gates that judged changed facts `stale`, with a snapshot each (the audit of why). */
export async function revokeStale(uow: UnitOfWork, pair: GatePair, changes: BindingChange[], current: Bindings, actor: string): Promise<GatePair> {
  const gates = [...new Set(changes.map((change) => change.gate))] as ValidationGate[];
  const next = stepRevision(pair.revision, [{ kind: 'promotion-stale', gates }]);
  const written = await writePair(uow.tx, pair, next, {}, 'draft');
  for (const gate of [...gates, 'promotion' as const]) {
    await insertSnapshot(uow.tx, pair.revision, {
      gate, status: 'stale', bindings: current, gateContext: { changes: changes.filter((change) => gate === 'promotion' || change.gate === gate) },
      notes: [describeChanges(changes)], recordedBy: actor,
    });
  }
  emitWorkspaceEvent(uow, written, 'gate.stale', { changes });
  return written;
}

export type PromotionStart =
  | { stale: BindingChange[]; pair: GatePair }
  | { pair: GatePair; promotion: PromotionRow; runs: PromotionRunRow[] };

export async function startPromotion(uow: UnitOfWork, auth: AuthClaims, id: number, rid: number, expected: Expected, body: PromotionBody): Promise<PromotionStart> {
  const pair = await lockPair(uow.tx, auth.owner, id, rid, expected);
  stepRevision(pair.revision, [{ kind: 'promote' }]);
  const { changes, current } = await staleBindings(uow.tx, pair);
  if (changes.length > 0) return { stale: changes, pair: await revokeStale(uow, pair, changes, current, auth.sub) };
  const next = stepRevision(pair.revision, [{ kind: 'promote' }]);
  const written = await writePair(uow.tx, pair, next, {}, 'promoting');
  const track = { name: body.track_name, tier: body.track_tier, stage: body.stage };
  const { promotion, runs } = await insertPromotion(uow.tx, {
    ownerId: auth.owner, workspaceId: id, revisionId: rid, playbookId: pair.workspace.playbook_id!, requestedBy: auth.sub,
    maxParallel: body.max_parallel, stopOnFirstFailure: body.stop_on_first_failure, track, targets: pair.revision.targets, notes: body.notes,
    gateContext: { lane: track.name, stage: track.stage, tier: track.tier, bindings: current, policy_decision_id: pair.revision.policy_decision_id },
  });
  await insertSnapshot(uow.tx, pair.revision, { gate: 'promotion', status: 'running', bindings: current, gateContext: { promotion_id: promotion.id }, notes: body.notes, recordedBy: auth.sub });
  uow.enqueue(workspacePromoteQueue, { promotion_id: promotion.id, owner_id: auth.owner, step: 0 }, { jobId: promoteJobId(promotion.id, 0) });
  emitWorkspaceEvent(uow, written, 'promotion.started', { promotion_id: promotion.id, targets: pair.revision.targets });
  return { pair: written, promotion, runs };
}
