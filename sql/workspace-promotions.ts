// runtime_vm_remediation_promotions and runtime_vm_remediation_promotion_runs: a promotion of one revision and one
// row per target VM instance, with the remediation run it staged and the posture verdict that let it (or not).
import type { Queryable } from './db.ts';

export type PromotionStatus = 'pending' | 'running' | 'succeeded' | 'partial' | 'failed' | 'stale' | 'cancelled';
export type TargetPhase = 'pending' | 'staged' | 'running' | 'succeeded' | 'failed' | 'refused' | 'skipped';

export interface PostureVerdict {
  allowed: boolean;
  veto_reasons: string[];
  signals: string[];
  remediation_hooks: string[];
  track_name?: string;
  track_tier?: string;
  stage?: string;
}

export interface PromotionRow {
  id: number;
  owner_id: string;
  workspace_id: number;
  revision_id: number;
  playbook_id: number;
  playbook_version: number | null;
  requested_by: string;
  status: PromotionStatus;
  max_parallel: number;
  stop_on_first_failure: boolean;
  track_name: string;
  track_tier: string;
  stage: string;
  counts: Record<string, number>;
  gate_context: Record<string, unknown>;
  posture_verdict: Partial<PostureVerdict>;
  notes: unknown[];
  failure_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export interface PromotionRunRow {
  id: number;
  promotion_id: number;
  owner_id: string;
  workspace_id: number;
  runtime_vm_instance_id: number;
  ordinal: number;
  phase: TargetPhase;
  remediation_run_id: number | null;
  playbook_id: number;
  playbook_version: number | null;
  promotion_gate_context: Record<string, unknown>;
  trust_posture: Record<string, unknown>;
  automation_payload: Record<string, unknown>;
  posture_verdict: Partial<PostureVerdict>;
  refusal_reason: string | null;
  notes: unknown[];
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface NewPromotion {
  ownerId: string;
  workspaceId: number;
  revisionId: number;
  playbookId: number;
  requestedBy: string;
  maxParallel: number;
  stopOnFirstFailure: boolean;
  track: { name: string; tier: string; stage: string };
  gateContext: Record<string, unknown>;
  notes: string[];
  targets: number[];
}

/** The promotion and one pending row per target, in the revision's target order. */
export async function insertPromotion(sql: Queryable, input: NewPromotion): Promise<{ promotion: PromotionRow; runs: PromotionRunRow[] }> {
  const counts = { pending: input.targets.length };
  const [promotion] = await sql<PromotionRow[]>`
    INSERT INTO runtime_vm_remediation_promotions
      (owner_id, workspace_id, revision_id, playbook_id, requested_by, max_parallel, stop_on_first_failure, track_name, track_tier, stage,
       counts, gate_context, notes)
    VALUES (${input.ownerId}, ${input.workspaceId}, ${input.revisionId}, ${input.playbookId}, ${input.requestedBy}, ${input.maxParallel},
      ${input.stopOnFirstFailure}, ${input.track.name}, ${input.track.tier}, ${input.track.stage}, ${sql.json(counts)},
      ${sql.json(input.gateContext as never)}, ${sql.json(input.notes)})
    RETURNING *`;
  const context = { lane: input.track.name, stage: input.track.stage, tier: input.track.tier, promotion_id: promotion!.id };
  const runs = await sql<PromotionRunRow[]>`
    INSERT INTO runtime_vm_remediation_promotion_runs
      (promotion_id, owner_id, workspace_id, runtime_vm_instance_id, ordinal, playbook_id, promotion_gate_context)
    SELECT ${promotion!.id}, ${input.ownerId}, ${input.workspaceId}, t.id, t.ordinal::int, ${input.playbookId}, ${sql.json(context)}
    FROM unnest(${input.targets}::bigint[]) WITH ORDINALITY AS t(id, ordinal)
    ORDER BY t.ordinal
    RETURNING *`;
  return { promotion: promotion!, runs };
}

export async function listPromotions(sql: Queryable, workspaceId: number): Promise<(PromotionRow & { promotion_runs: PromotionRunRow[] })[]> {
  const promotions = await sql<PromotionRow[]>`SELECT * FROM runtime_vm_remediation_promotions WHERE workspace_id = ${workspaceId} ORDER BY id`;
  const runs = await sql<PromotionRunRow[]>`SELECT * FROM runtime_vm_remediation_promotion_runs WHERE workspace_id = ${workspaceId} ORDER BY promotion_id, ordinal`;
  return promotions.map((promotion) => ({ ...promotion, promotion_runs: runs.filter((run) => run.promotion_id === promotion.id) }));
}

export async function lockPromotion(sql: Queryable, id: number): Promise<PromotionRow | undefined> {
  const [row] = await sql<PromotionRow[]>`SELECT * FROM runtime_vm_remediation_promotions WHERE id = ${id} FOR UPDATE`;
  return row;
}

export async function listPromotionRuns(sql: Queryable, promotionId: number): Promise<PromotionRunRow[]> {
  return sql<PromotionRunRow[]>`SELECT * FROM runtime_vm_remediation_promotion_runs WHERE promotion_id = ${promotionId} ORDER BY ordinal`;
}

export type PromotionRunPatch = Partial<Pick<PromotionRunRow,
  'phase' | 'remediation_run_id' | 'playbook_version' | 'promotion_gate_context' | 'trust_posture' | 'automation_payload' | 'posture_verdict' | 'refusal_reason' | 'notes'>>;

const runJson = new Set(['promotion_gate_context', 'trust_posture', 'automation_payload', 'posture_verdict', 'notes']);

export async function patchPromotionRun(sql: Queryable, id: number, patch: PromotionRunPatch): Promise<PromotionRunRow> {
  const values: Record<string, unknown> = { ...patch };
  for (const key of Object.keys(values)) if (runJson.has(key)) values[key] = sql.json(values[key] as never);
  const [row] = await sql<PromotionRunRow[]>`
    UPDATE runtime_vm_remediation_promotion_runs SET ${sql(values, ...Object.keys(values))}, updated_at = now() WHERE id = ${id} RETURNING *`;
  return row!;
}

export type PromotionPatch = Partial<Pick<PromotionRow, 'status' | 'playbook_version' | 'counts' | 'posture_verdict' | 'failure_reason' | 'started_at' | 'completed_at'>>;

const promotionJson = new Set(['counts', 'posture_verdict']);

export async function patchPromotion(sql: Queryable, id: number, patch: PromotionPatch): Promise<PromotionRow> {
  const values: Record<string, unknown> = { ...patch };
  for (const key of Object.keys(values)) if (promotionJson.has(key)) values[key] = sql.json(values[key] as never);
  const [row] = await sql<PromotionRow[]>`
    UPDATE runtime_vm_remediation_promotions SET ${sql(values, ...Object.keys(values))}, version = version + 1, updated_at = now() WHERE id = ${id} RETURNING *`;
  return row!;
}
