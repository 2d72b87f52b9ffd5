// mcpctl remediation workspaces schema <id> --revision R --workspace-version V --revision-version RV
import { GateCommand, type RevisionEnvelope } from './gate-command.ts';

export class RemediationWorkspacesSchemaCommand extends GateCommand {
  static override paths = [['remediation', 'workspaces', 'schema']];
  static override usage = GateCommand.Usage({
    description: "Run the schema gate: the plan against its executor's schema (Ansible: the playbook parsed as YAML)",
    examples: [['Validate revision 7', 'mcpctl remediation workspaces schema 3 --revision 7 --workspace-version 2 --revision-version 1']],
  });

  async run() {
    const envelope = await this.postGate<RevisionEnvelope>('schema');
    if (this.json) return this.printJson(envelope);
    const errors = (envelope.revision.schema_errors as Record<string, unknown>[] | undefined) ?? [];
    this.print(this.renderEnvelope(envelope) + (errors.length > 0 ? `\nerrors:\n${this.table(errors, ['path', 'code', 'message'])}` : ''));
  }
}
