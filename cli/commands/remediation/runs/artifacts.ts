// mcpctl remediation runs artifacts <id> [--content NAME]
import { Option } from 'clipanion';
import { ApiCommand } from '../../../api-command.ts';
import { runsPath } from '../columns.ts';
import { valueFlag } from '../../../flags.ts';

export class RemediationRunsArtifactsCommand extends ApiCommand {
  static override paths = [['remediation', 'runs', 'artifacts']];
  static override usage = ApiCommand.Usage({
    description: "List a run's artifacts (log bundles, outputs, evidence); --content NAME prints one artifact's content",
    examples: [['Print the first attempt log', 'mcpctl remediation runs artifacts 12 --content attempt-1.log']],
  });

  id = Option.String({ name: 'id' });
  content = valueFlag('--content', { placeholder: 'name', description: 'Print the content of the artifact with this name' });

  async run() {
    const { items } = await this.client().request<{ items: Record<string, unknown>[] }>('GET', `${runsPath}/${encodeURIComponent(this.id)}/artifacts`);
    if (this.content !== undefined) {
      const artifact = items.find((item) => item.name === this.content);
      if (artifact === undefined) {
        this.context.stderr.write(`artifact-not-found: run ${this.id} has no artifact ${this.content}\n`);
        return 1;
      }
      return this.print(String(artifact.content));
    }
    if (this.json) this.printJson({ items });
    else this.print(this.table(items, ['id', 'attempt', 'artifact_type', 'name', 'size_bytes', 'sha256']));
  }
}
