// mcpctl placement evaluate <server-id>: run every placement check now and show each verdict.
import { Option } from 'clipanion';
import { ApiCommand } from '../../api-command.ts';
import { decisionRecord, verdictRows, type DecisionView } from './render.ts';

export class PlacementEvaluateCommand extends ApiCommand {
  static override paths = [['placement', 'evaluate']];
  static override usage = ApiCommand.Usage({
    description: 'Run every placement check against a server now, record the decision, and show each check verdict',
    examples: [['Server 3', 'mcpctl placement evaluate 3']],
  });

  serverId = Option.String({ name: 'server-id' });

  async run() {
    const decision = await this.client().request<DecisionView>('POST', `/api/servers/${encodeURIComponent(this.serverId)}/placement/evaluate`);
    if (this.json) return this.printJson(decision);
    this.print(this.record(decisionRecord(decision)));
    this.print(this.table(verdictRows(decision), ['vm_instance_id', 'check', 'verdict', 'class', 'score', 'reason']));
  }
}
