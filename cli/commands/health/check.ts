// mcpctl health: is the API up, and can it reach Postgres and Redis?
import { ApiCommand } from '../../api-command.ts';
import { ApiProblem } from '../../api-client.ts';

interface Readiness {
  status: string;
  checks: Record<string, string>;
}

export class HealthCheckCommand extends ApiCommand {
  static override paths = [['health']];
  static override usage = ApiCommand.Usage({
    description: 'Check API liveness and readiness',
    examples: [['Check the local API', 'mcpctl health'], ['As JSON', 'mcpctl health --json']],
  });

  async run() {
    let readiness: Readiness;
    try {
      readiness = await this.client().request<Readiness>('GET', '/readyz');
    } catch (error) {
      // 503 still carries the per-dependency checks.
      if (!(error instanceof ApiProblem) || error.status !== 503) throw error;
      readiness = error.body as unknown as Readiness;
    }
    if (this.json) this.printJson(readiness);
    else this.print(this.record({ status: readiness.status, ...readiness.checks }));
    return readiness.status === 'ok' ? 0 : 1;
  }
}
