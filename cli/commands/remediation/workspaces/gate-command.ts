// Base of the gate commands (schema, policy, simulate, promote): the workspace id, the revision and both versions
// read, one POST to the gate, and the revision envelope back with the workspace version to send next.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../../api-command.ts';
import { valueFlag } from '../../../flags.ts';
import { waitUntil, type WaitSpec } from '../../../wait-loop.ts';
import { etagVersion, revisionFlag, revisionVersionFlag, workspaceVersionFlag, workspacesPath } from './shared.ts';

export interface RevisionEnvelope {
  revision: Record<string, unknown>;
  actions: Record<string, boolean>;
  awaiting: string | null;
}

export abstract class GateCommand extends ApiCommand {
  id = Option.String({ name: 'id' });
  revision = revisionFlag();
  workspaceVersion = workspaceVersionFlag();
  revisionVersion = revisionVersionFlag();

  protected async postGate<T>(gate: string, extra: Record<string, unknown> = {}): Promise<T & { workspace_version: number | null }> {
    const path = `${workspacesPath}/${encodeURIComponent(this.id)}/revisions/${this.revision}/${gate}`;
    const { body, headers } = await this.client().exchange<T>('POST', path, { workspace_version: this.workspaceVersion, revision_version: this.revisionVersion, ...extra });
    return { ...body, workspace_version: etagVersion(headers) };
  }

  protected renderEnvelope(envelope: RevisionEnvelope & { workspace_version: number | null }): string {
    const legal = Object.entries(envelope.actions).filter(([, yes]) => yes).map(([name]) => name).join(', ') || 'none';
    return `${this.record({ ...envelope.revision, workspace_version: envelope.workspace_version }, ['id', 'state', 'schema_status', 'policy_status', 'simulation_status', 'promotion_status', 'version', 'workspace_version'])}\nawaiting: ${envelope.awaiting ?? '-'}   legal now: ${legal}`;
  }

  /** The revision as the workspace envelope shows it now (what a job changed). */
  protected async readRevision(): Promise<{ envelope: Record<string, unknown> & { sandbox_executions: Record<string, unknown>[]; promotions: Record<string, unknown>[] }; revision: Record<string, unknown> }> {
    const envelope = await this.client().request<Record<string, unknown> & { revisions: RevisionEnvelope[]; sandbox_executions: Record<string, unknown>[]; promotions: Record<string, unknown>[] }>('GET', `${workspacesPath}/${encodeURIComponent(this.id)}`);
    const revision = envelope.revisions.find((item) => item.revision.id === this.revision)?.revision ?? {};
    return { envelope, revision };
  }
}

/** A gate command that starts a job (simulate, promote): `--wait` for the job's verdict, like every WaitCommand. */
export abstract class GateJobCommand extends GateCommand {
  wait = Option.Boolean('--wait', false, { description: 'Wait for the end state, with progress on stderr' });
  timeout = valueFlag('--timeout', '60', { validator: t.isNumber(), placeholder: 'seconds', description: 'With --wait: give up after this many seconds (0: never) and exit 124' });

  waitFor<T>(spec: Omit<WaitSpec<T>, 'timeoutSeconds' | 'progress'>): Promise<T> {
    return waitUntil({ ...spec, timeoutSeconds: this.timeout, progress: (line) => this.context.stderr.write(line) });
  }
}
