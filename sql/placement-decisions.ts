// placement_decisions and placement_overrides: what the policy engine reads for a server (its latest instance with
// trust and accelerators, its tenant policy, live overrides), and the record of each decision it made.
import { AppError } from '../core/errors.ts';
import type { CheckName, CheckVerdict } from '../core/policy-checks.ts';
import { tenantPolicyOf } from '../core/policy-checks.ts';
import { decide, type PolicyDecision, type PolicyInput, type PolicyOverride } from '../core/policy-engine.ts';
import type { Queryable } from './db.ts';
import { listAcceleratorPosture } from './remediation-accelerators.ts';
import { getServer } from './servers.ts';
import { findLatestInstanceWithTrust } from './vm-launch-records.ts';

export type DecisionPurpose = 'launch' | 'refresh' | 'evaluate';

export interface PlacementDecisionRow {
  id: number;
  decision_id: string;
  server_id: number;
  purpose: DecisionPurpose;
  allow: boolean;
  gate: string;
  status: string | null;
  reason: string | null;
  veto_check: string | null;
  veto_class: string | null;
  chosen_vm_instance_id: number | null;
  score: number;
  candidates: { vm_instance_id: number | null; allow: boolean; score: number; checks: CheckVerdict[]; notes: string[] }[];
  notes: string[];
  input_digest: string;
  registry_versions: Record<string, number>;
  overrides_applied: number[];
  created_at: Date;
}

export interface OverrideRow extends PolicyOverride {
  server_id: number;
  created_at: Date;
  active: boolean;
}

const overrideColumns = (sql: Queryable) => sql`id, server_id, check_name AS "check", actor, reason, expires_at, created_at, expires_at > now() AS active`;

export async function listLiveOverrides(sql: Queryable, ownerId: string, serverId: number, now: Date): Promise<OverrideRow[]> {
  return sql<OverrideRow[]>`
    SELECT ${overrideColumns(sql)} FROM placement_overrides
    WHERE server_id = ${serverId} AND owner_id = ${ownerId} AND expires_at > ${now} ORDER BY id`;
}

export async function listOverrides(sql: Queryable, ownerId: string, serverId: number): Promise<OverrideRow[]> {
  return sql<OverrideRow[]>`
    SELECT ${overrideColumns(sql)} FROM placement_overrides WHERE server_id = ${serverId} AND owner_id = ${ownerId} ORDER BY id DESC LIMIT 100`;
}

/** Everything the engine reads for a server, owner-scoped (another owner's server is `server-not-found`). */
export async function loadPolicyInput(sql: Queryable, ownerId: string, serverId: number, now: Date): Promise<PolicyInput> {
  const server = await getServer(sql, ownerId, serverId);
  const latest = await findLatestInstanceWithTrust(sql, ownerId, serverId);
  const candidates = latest === undefined
    ? []
    : [{
        vm_instance_id: latest.instance.id,
        trust: latest.trust,
        ...(latest.trust === undefined ? {} : { registry_version: latest.trust.version }),
        accelerators: await listAcceleratorPosture(sql, ownerId, latest.instance.id),
      }];
  const overrides = (await listLiveOverrides(sql, ownerId, serverId, now)).map(({ id, check, actor, reason, expires_at }) => ({ id, check, actor, reason, expires_at }));
  return { candidates, policy: tenantPolicyOf(server.metadata), server_status: server.status, overrides, now };
}

export async function insertDecision(sql: Queryable, ownerId: string, serverId: number, purpose: DecisionPurpose, decision: PolicyDecision): Promise<PlacementDecisionRow> {
  const [row] = await sql<PlacementDecisionRow[]>`
    INSERT INTO placement_decisions (owner_id, server_id, purpose, allow, gate, status, reason, veto_check, veto_class, chosen_vm_instance_id,
      score, candidates, notes, input_digest, registry_versions, overrides_applied)
    VALUES (${ownerId}, ${serverId}, ${purpose}, ${decision.allow}, ${decision.gate}, ${decision.status ?? null}, ${decision.reason ?? null},
      ${decision.veto_check ?? null}, ${decision.veto_class ?? null}, ${decision.chosen}, ${decision.score}, ${sql.json(decision.candidates as never)},
      ${sql.json(decision.notes)}, ${decision.input_digest}, ${sql.json(decision.registry_versions)}, ${sql.json(decision.overrides_applied)})
    RETURNING *, score::float8 AS score`;
  return row!;
}

/** Read the inputs, decide, and record the decision in one go. */
export async function decideAndRecord(sql: Queryable, ownerId: string, serverId: number, purpose: DecisionPurpose, now = new Date()) {
  const decision = decide(await loadPolicyInput(sql, ownerId, serverId, now));
  return { decision, record: await insertDecision(sql, ownerId, serverId, purpose, decision) };
}

export async function listDecisions(sql: Queryable, ownerId: string, serverId: number, page: { limit: number; after?: number }): Promise<PlacementDecisionRow[]> {
  return sql<PlacementDecisionRow[]>`
    SELECT *, score::float8 AS score FROM placement_decisions
    WHERE server_id = ${serverId} AND owner_id = ${ownerId} ${page.after === undefined ? sql`` : sql`AND id < ${page.after}`}
    ORDER BY id DESC LIMIT ${page.limit + 1}`;
}

export async function findLatestDecision(sql: Queryable, ownerId: string, serverId: number): Promise<PlacementDecisionRow | undefined> {
  const [row] = await listDecisions(sql, ownerId, serverId, { limit: 0 });
  return row;
}

export async function getDecision(sql: Queryable, ownerId: string, decisionId: string): Promise<PlacementDecisionRow> {
  const [row] = await sql<PlacementDecisionRow[]>`
    SELECT *, score::float8 AS score FROM placement_decisions WHERE decision_id = ${decisionId} AND owner_id = ${ownerId}`;
  if (row === undefined) throw new AppError('not-found', `placement decision ${decisionId} does not exist`);
  return row;
}

/**
 * An override of one check until `expiresAt`. Refused (422) when that check's current verdict is a structural or
 * cancelled veto: only a transient veto can be bypassed (the engine ignores overrides of anything else too).
 */
export async function insertOverride(
  sql: Queryable,
  input: { ownerId: string; serverId: number; check: CheckName; actor: string; reason: string; expiresAt: Date },
): Promise<OverrideRow> {
  const current = decide(await loadPolicyInput(sql, input.ownerId, input.serverId, new Date()));
  const verdict = current.candidates.flatMap((c) => c.checks).find((v) => v.check === input.check && v.verdict === 'veto' && v.class !== 'transient');
  if (verdict !== undefined) {
    throw new AppError('override-refused', `the ${input.check} veto is ${verdict.class ?? 'structural'} and cannot be overridden: ${verdict.reason}`, {
      extras: { check: input.check, veto_class: verdict.class },
    });
  }
  const [row] = await sql<OverrideRow[]>`
    INSERT INTO placement_overrides (owner_id, server_id, check_name, actor, reason, expires_at)
    VALUES (${input.ownerId}, ${input.serverId}, ${input.check}, ${input.actor}, ${input.reason}, ${input.expiresAt})
    RETURNING ${overrideColumns(sql)}`;
  return row!;
}
