// mcpctl servers intelligence <id>: the capability intelligence score and each penalty with its cause.
import { Option } from 'clipanion';
import { ApiCommand } from '../../api-command.ts';

export interface IntelligenceView {
  score: number;
  penalties: { cause: string; vm_instance_id: number | null; points: number; detail: string }[];
  computed_at: string;
  stored: boolean;
}

/** The penalties as table rows (points shown as what they take off) and the columns to print them in. */
export const penaltyRows = (view: IntelligenceView) => view.penalties.map((p) => ({ ...p, points: `-${p.points}` }));
export const penaltyColumns = ['cause', 'points', 'vm_instance_id', 'detail'];

export class ServersIntelligenceCommand extends ApiCommand {
  static override paths = [['servers', 'intelligence']];
  static override usage = ApiCommand.Usage({
    description: "Show a server's capability intelligence score: 100 minus each itemised penalty (lifecycle, churn, stale evidence, provenance gaps)",
    examples: [['Server 3', 'mcpctl servers intelligence 3']],
  });

  id = Option.String({ name: 'id' });

  async run() {
    const view = await this.client().request<IntelligenceView>('GET', `/api/servers/${encodeURIComponent(this.id)}/intelligence`);
    if (this.json) return this.printJson(view);
    this.print(this.record({ score: view.score, computed_at: `${view.computed_at}${view.stored ? '' : ' (computed on read)'}` }));
    if (view.penalties.length > 0) this.print(this.table(penaltyRows(view), penaltyColumns));
  }
}
