// mcpctl remediation workspaces promote <id> --revision R --workspace-version V --revision-version RV [--wait]:
// starts the promotion and prints the "Automation status" table (per target: lane/stage, trust posture,
// automation payload, notes), after the promotion settled with --wait.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { valueFlag } from '../../../flags.ts';
import { GateJobCommand } from './gate-command.ts';
import { automationColumns, automationRows, type PromotionRun } from './shared.ts';

interface Promotion {
  id: number;
  status: string;
  track_name: string;
  track_tier: string;
  stage: string;
  playbook_version: number | null;
  counts: Record<string, number>;
  promotion_runs?: PromotionRun[];
}

const settledStatuses = ['succeeded', 'partial', 'failed', 'stale', 'cancelled'];

export class RemediationWorkspacesPromoteCommand extends GateJobCommand {
  static override paths = [['remediation', 'workspaces', 'promote']];
  static override usage = GateJobCommand.Usage({
    description: 'Promote a ready revision to the catalog and stage a run per target; prints the Automation status table',
    examples: [['Promote two at a time and wait', 'mcpctl remediation workspaces promote 3 --revision 7 --workspace-version 6 --revision-version 5 --max-parallel 2 --wait']],
  });

  maxParallel = valueFlag('--max-parallel', '1', { validator: t.isNumber(), description: 'Targets staged at once' });
  keepGoing = Option.Boolean('--continue-on-failure', false, { description: 'Stage the remaining targets after a failed run' });
  track = valueFlag('--track', 'stable', { validator: t.isString(), description: 'Track (lane) name recorded on each target' });
  stage = valueFlag('--stage', 'production', { validator: t.isString(), description: 'Stage recorded on each target' });

  async run() {
    const accepted = await this.postGate<{ promotion: Promotion; promotion_runs: PromotionRun[] }>('promotion', {
      max_parallel: this.maxParallel, stop_on_first_failure: !this.keepGoing, track_name: this.track, stage: this.stage,
    });
    let promotion: Promotion = { ...accepted.promotion, promotion_runs: accepted.promotion_runs };
    if (this.wait) {
      const { envelope } = await this.waitFor({
        what: `promotion ${accepted.promotion.id}`,
        read: () => this.readRevision(),
        done: ({ envelope: now }) => settledStatuses.includes(String((now.promotions as unknown as Promotion[]).find((p) => p.id === accepted.promotion.id)?.status)),
        state: ({ envelope: now }) => String((now.promotions as unknown as Promotion[]).find((p) => p.id === accepted.promotion.id)?.status),
        hint: () => 'is a worker hosting the workspace-promote queue running?',
      });
      promotion = (envelope.promotions as unknown as Promotion[]).find((p) => p.id === accepted.promotion.id)!;
    }
    if (this.json) return this.printJson({ ...accepted, promotion, promotion_runs: promotion.promotion_runs });
    const counts = Object.entries(promotion.counts).filter(([, n]) => n > 0).map(([phase, n]) => `${phase}=${n}`).join(' ');
    this.print([
      `Automation status — promotion ${promotion.id}: ${promotion.status} (track ${promotion.track_name}/${promotion.track_tier}, stage ${promotion.stage}, playbook v${promotion.playbook_version ?? '-'}) ${counts}`,
      this.table(automationRows(promotion.promotion_runs ?? []), automationColumns),
    ].join('\n'));
  }
}
