// mcpctl evaluations get <id>: why the server is blocked, since when, and what would unblock it — then lineage,
// refresh schedule, every check of the latest placement decision, and the intelligence penalties.
import { Option } from 'clipanion';
import { ApiCommand } from '../../api-command.ts';
import { penaltyColumns, penaltyRows, type IntelligenceView } from '../servers/intelligence.ts';
import { verdictRows, type DecisionView } from '../placement/render.ts';

interface EvaluationDetail {
  id: number;
  server_id: number;
  server_name: string;
  server_status: string;
  vm_instance_id: number | null;
  lifecycle_badge: { label: string; tone: string } | null;
  attestation_status: string | null;
  remediation_state: string | null;
  freshness_deadline: string | null;
  stale: boolean;
  next_refresh_at: string | null;
  last_refresh_at: string | null;
  last_success_at: string | null;
  refresh_state: string | null;
  stalled: boolean;
  lineage: { last_attestation_status: string | null; fallback_launched_at: string | null; remediation_attempts: number };
  provenance: Record<string, string | null>;
  block: { blocked: boolean; since: string | null; lifecycle_since: string | null; veto_check: string | null; veto_class: string | null; reason: string | null; unblock: { check: string; class: string | null; overridable: boolean; unblock: string }[] };
  schedules: Record<string, unknown>[];
  latest_decision: DecisionView | null;
  intelligence: IntelligenceView;
}

export class EvaluationsGetCommand extends ApiCommand {
  static override paths = [['evaluations', 'get']];
  static override usage = ApiCommand.Usage({
    description: 'Show one evaluation: why the server is blocked, since when, what would unblock it, lineage, refresh schedule, checks and intelligence',
    examples: [['Evaluation 4', 'mcpctl evaluations get 4']],
  });

  id = Option.String({ name: 'id' });

  async run() {
    const view = await this.client().request<EvaluationDetail>('GET', `/api/evaluations/${encodeURIComponent(this.id)}`);
    if (this.json) return this.printJson(view);
    const { block } = view;
    this.print(
      this.record({
        evaluation: view.id,
        server: `${view.server_id} (${view.server_name}), status ${view.server_status}`,
        blocked: block.blocked ? `yes, since ${block.since ?? '?'} by ${block.veto_check ?? '?'} (${block.veto_class ?? '?'})` : 'no',
        reason: block.reason,
        lifecycle: view.lifecycle_badge ? `${view.lifecycle_badge.label} (${view.lifecycle_badge.tone}) since ${block.lifecycle_since ?? '?'}` : null,
        instance: view.vm_instance_id,
        attestation: view.attestation_status,
        remediation_state: view.remediation_state,
        remediation_attempts: view.lineage.remediation_attempts,
        last_attestation_status: view.lineage.last_attestation_status,
        fallback_launched_at: view.lineage.fallback_launched_at,
        freshness_deadline: view.freshness_deadline === null ? null : `${view.freshness_deadline}${view.stale ? ' (stale)' : ''}`,
        provenance: Object.entries(view.provenance).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v ?? ''}`).join(' ') || null,
        refresh: `${view.refresh_state ?? 'none'}${view.stalled ? ' (scheduler-stalled)' : ''}, next ${view.next_refresh_at ?? '-'}, last ${view.last_refresh_at ?? '-'}, last success ${view.last_success_at ?? '-'}`,
        intelligence: `${view.intelligence.score} / 100`,
      }),
    );
    if (block.unblock.length > 0) {
      this.print('\nto unblock:');
      this.print(block.unblock.map((h) => `- ${h.check} (${h.class ?? '?'}${h.overridable ? ', overridable' : ''}): ${h.unblock}`).join('\n'));
    }
    if (view.latest_decision) {
      this.print(`\nlatest placement decision ${view.latest_decision.decision_id} at ${view.latest_decision.created_at}:`);
      this.print(this.table(verdictRows(view.latest_decision), ['vm_instance_id', 'check', 'verdict', 'class', 'score', 'reason']));
    }
    if (view.intelligence.penalties.length > 0) {
      this.print('intelligence penalties:');
      this.print(this.table(penaltyRows(view.intelligence), penaltyColumns));
    }
  }
}
