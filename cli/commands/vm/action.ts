// What `vm launch` and `vm stop` share: request the action (optionally at the server version you read) and,
// with --wait, follow the server's status until it settles (a failed launch exits 1).
import { Option } from 'clipanion';
import * as t from 'typanion';
import { WaitCommand } from '../../wait-command.ts';

const settling = new Set(['launch-requested', 'launching', 'stopping']);

interface VmView {
  server_status: string;
  placement_notes: string[];
}

export abstract class VmActionCommand extends WaitCommand {
  abstract readonly action: 'launch' | 'stop';
  id = Option.String({ name: 'server-id' });
  version = Option.String('--version', { validator: t.isNumber(), description: 'The server version you read' });

  async run() {
    const client = this.client();
    const path = `/api/servers/${encodeURIComponent(this.id)}/vm`;
    const accepted = await client.request<Record<string, unknown>>('POST', `${path}/${this.action}`, this.version === undefined ? {} : { version: this.version });
    if (!this.wait) return this.json ? this.printJson(accepted) : this.print(this.record(accepted));
    const view = await this.waitFor({
      what: `${this.action} of server ${this.id}`,
      read: () => client.request<VmView>('GET', path),
      done: (current) => !settling.has(current.server_status),
      state: (current) => current.server_status,
      hint: (current) => (current.server_status === 'launch-requested' ? 'no vm-launch worker has taken the job: is a worker running (npm run worker)?' : undefined),
    });
    const settled = { ...accepted, status: view.server_status, placement_notes: view.placement_notes.join(' ') };
    if (this.json) this.printJson(settled);
    else this.print(this.record(settled));
    return view.server_status === 'launch-failed' ? 1 : 0;
  }
}
