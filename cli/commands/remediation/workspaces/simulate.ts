// mcpctl remediation workspaces simulate <id> --revision R --workspace-version V --revision-version RV [--wait]
import { GateJobCommand, type RevisionEnvelope } from './gate-command.ts';

export class RemediationWorkspacesSimulateCommand extends GateJobCommand {
  static override paths = [['remediation', 'workspaces', 'simulate']];
  static override usage = GateJobCommand.Usage({
    description: 'Start a sandbox dry run of the revision (ansible --check --diff, or the declared plan mode); --wait for its verdict',
    examples: [['Simulate and wait', 'mcpctl remediation workspaces simulate 3 --revision 7 --workspace-version 5 --revision-version 4 --wait']],
  });

  async run() {
    const accepted = await this.postGate<{ sandbox_execution: Record<string, unknown>; revision: RevisionEnvelope }>('simulation');
    const settled = this.wait
      ? (await this.waitFor({
          what: `simulation ${String(accepted.sandbox_execution.id)}`,
          read: () => this.readRevision(),
          done: ({ revision }) => revision.simulation_status !== 'running',
          state: ({ revision }) => String(revision.simulation_status),
          hint: () => 'is a worker hosting the workspace-simulate queue running?',
        })).revision
      : undefined;
    if (this.json) return this.printJson(settled === undefined ? accepted : { ...accepted, settled_revision: settled });
    this.print(this.record(accepted.sandbox_execution, ['id', 'simulator_kind', 'execution_state', 'plan_sha256']) + (settled === undefined ? '' : `\nsimulation gate: ${String(settled.simulation_status)} (revision version ${String(settled.version)})`));
  }
}
