// mcpctl vm logs <server-id> [--tail N] [--follow [--limit N]]: with --follow, a dropped stream is resumed from
// the last line printed.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { WatchCommand } from '../../watch-command.ts';

interface ConsoleLines {
  domain_name: string | null;
  lines: string[];
  cursor: string | null;
}

export class VmLogsCommand extends WatchCommand {
  static override paths = [['vm', 'logs']];
  static override usage = WatchCommand.Usage({
    description: "Print a server VM's console: the last lines (default LIBVIRT_LOG_TAIL), then new ones with --follow",
    examples: [
      ['Last 50 console lines of server 3', 'mcpctl vm logs 3 --tail 50'],
      ['Follow the console until interrupted', 'mcpctl vm logs 3 --follow'],
    ],
  });

  id = Option.String({ name: 'server-id' });
  tail = Option.String('--tail', { validator: t.isNumber(), description: 'How many of the last lines (default LIBVIRT_LOG_TAIL)' });
  follow = Option.Boolean('--follow', false, { description: 'Keep streaming new lines (Server-Sent Events)' });
  limit = Option.String('--limit', { validator: t.isNumber(), description: 'With --follow: exit after this many new lines' });

  private emit(line: string): void {
    if (this.json) this.context.stdout.write(`${JSON.stringify({ line })}\n`);
    else this.print(line);
  }

  async run() {
    const client = this.client();
    const base = `/api/servers/${encodeURIComponent(this.id)}/vm/logs`;
    const tail = await client.request<ConsoleLines>('GET', this.tail === undefined ? base : `${base}?tail=${this.tail}`);
    if (!this.follow) {
      if (this.json) this.printJson(tail);
      else for (const line of tail.lines) this.print(line);
      return;
    }
    for (const line of tail.lines) this.emit(line);
    let seen = 0;
    const frames = this.followStream(client, `${base}/stream`, { since: tail.cursor ?? undefined });
    for await (const frame of frames) {
      if (frame.event !== 'console') continue;
      this.emit(String(frame.data.line));
      seen += 1;
      if (this.limit !== undefined && seen >= this.limit) return;
    }
  }
}
