// mcpctl remediation workspaces policy <id> --revision R --workspace-version V --revision-version RV [--override-reason T]
import { Option } from 'clipanion';
import { GateCommand, type RevisionEnvelope } from './gate-command.ts';

export class RemediationWorkspacesPolicyCommand extends GateCommand {
  static override paths = [['remediation', 'workspaces', 'policy']];
  static override usage = GateCommand.Usage({
    description: 'Run the policy gate, or (approver, not the author) override a soft failure with --override-reason',
    examples: [
      ['Evaluate', 'mcpctl remediation workspaces policy 3 --revision 7 --workspace-version 3 --revision-version 2'],
      ['Override', 'mcpctl remediation workspaces policy 3 --revision 7 --workspace-version 4 --revision-version 3 --override-reason "CHG-4711"'],
    ],
  });

  overrideReason = Option.String('--override-reason', { description: 'Override the soft failure, for this reason' });

  async run() {
    const envelope = await this.postGate<RevisionEnvelope>('policy', this.overrideReason === undefined ? {} : { override: { reason: this.overrideReason } });
    if (this.json) return this.printJson(envelope);
    const vetoes = (envelope.revision.policy_veto_reasons as Record<string, unknown>[] | undefined) ?? [];
    this.print(this.renderEnvelope(envelope) + (vetoes.length > 0 ? `\nfailed rules:\n${this.table(vetoes, ['rule', 'severity', 'detail'])}` : ''));
  }
}
