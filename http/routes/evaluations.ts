// /api/evaluations: each server's evaluation — lifecycle badge, lineage, freshness, provenance, refresh schedule,
// the latest placement decision with every check, intelligence — and for a blocked server why, since when, and
// what would unblock it. Owner-scoped: another owner's evaluation answers 404.
import { unblockHints } from '../../core/evaluation-view.ts';
import { lifecycleBadge } from '../../core/placement-gate.ts';
import { idParam, toPage } from '../../core/schemas/common.ts';
import { evaluationDetail, evaluationListQuery, evaluationPage } from '../../core/schemas/evaluations.ts';
import { blockedSince, getEvaluation, listEvaluations, type EvaluationRow } from '../../sql/evaluations.ts';
import { readIntelligence } from '../../sql/intelligence-scores.ts';
import { findLatestDecision } from '../../sql/placement-decisions.ts';
import { listServerSchedules } from '../../sql/refresh-schedules.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, readRoles, type RouteSpec } from '../route.ts';

const tag = 'evaluations';

const summary = (row: EvaluationRow) => ({ ...row, lifecycle_badge: row.lifecycle_state === null ? null : lifecycleBadge(row.lifecycle_state) });
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

export function evaluationRoutes({ sql }: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/evaluations',
      operationId: 'listEvaluations',
      summary: 'List evaluations (filters server_id, lifecycle_state, attestation_status, blocked; cursor pagination)',
      tag,
      roles: readRoles,
      query: evaluationListQuery,
      responses: { 200: { description: 'A page of evaluations', schema: evaluationPage } },
      async handler(_ctx, { query, auth }) {
        const { limit, cursor, ...filter } = query;
        const rows = await listEvaluations(sql, auth.owner, filter, { limit, ...(cursor === undefined ? {} : { after: cursor }) });
        const page = toPage(rows, limit);
        return { status: 200, body: { ...page, items: page.items.map(summary) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/evaluations/:id',
      operationId: 'getEvaluation',
      summary: 'One evaluation: why the server is blocked, since when, what would unblock it; lineage, refresh schedule, latest decision, intelligence',
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'The evaluation', schema: evaluationDetail } },
      async handler(_ctx, { params, auth }) {
        const row = await getEvaluation(sql, auth.owner, params.id);
        const [decision, since, schedules, intelligence] = await Promise.all([
          findLatestDecision(sql, auth.owner, row.server_id),
          blockedSince(sql, auth.owner, row.server_id, row.vm_instance_id),
          listServerSchedules(sql, auth.owner, row.server_id),
          readIntelligence(sql, auth.owner, row.server_id),
        ]);
        const chosen = decision?.candidates.find((c) => c.vm_instance_id === decision.chosen_vm_instance_id) ?? decision?.candidates[0];
        const provenance = row.provenance ?? {};
        return {
          status: 200,
          body: {
            ...summary(row),
            lineage: { last_attestation_status: row.last_attestation_status, fallback_launched_at: row.fallback_launched_at, remediation_attempts: row.remediation_attempts },
            provenance: { verifier: text(provenance.verifier), evidence_digest: text(provenance.evidence_digest), report_reference: text(provenance.report_reference) },
            block: {
              blocked: row.blocked,
              since: row.blocked ? since.blocked_since : null,
              lifecycle_since: since.lifecycle_since,
              veto_check: decision?.veto_check ?? null,
              veto_class: decision?.veto_class ?? null,
              reason: decision?.allow === false ? decision.reason : null,
              unblock: decision?.allow === false && chosen ? unblockHints(chosen.checks) : [],
            },
            schedules,
            latest_decision: decision ?? null,
            intelligence,
          },
        };
      },
    }),
  ];
}
