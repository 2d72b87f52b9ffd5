// mcpctl remediation playbooks delete <id> [--version V]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../../api-command.ts';
import { playbooksPath } from '../columns.ts';

export class RemediationPlaybooksDeleteCommand extends ApiCommand {
  static override paths = [['remediation', 'playbooks', 'delete']];
  static override usage = ApiCommand.Usage({ description: 'Delete a playbook (its runs keep their history)', examples: [['Delete 4', 'mcpctl remediation playbooks delete 4 --version 3']] });

  id = Option.String({ name: 'id' });
  version = Option.String('--version', { validator: t.isNumber(), description: 'Only if the playbook is still at this version (else 409)' });

  async run() {
    const query = this.version === undefined ? '' : `?version=${this.version}`;
    await this.client().request('DELETE', `${playbooksPath}/${encodeURIComponent(this.id)}${query}`);
    if (this.json) this.printJson({ deleted: Number(this.id) });
    else this.print(`deleted playbook ${this.id}`);
  }
}
