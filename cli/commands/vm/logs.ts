// mcpctl vm logs <server-id> [--tail N] [--follow [--limit N]]
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from '../../api-command.ts';

interface ConsoleLines {
  domain_name: string | null;
  lines: string[];
  cursor: string | null;
}

export class VmLogsCommand extends ApiCommand {
  static override paths = [['vm', 'logs']];
  static override usage = ApiCommand.Usage({
    description: "Print a server VM's console: the last lines (default LIBVIRT_LOG_TAIL), then new ones with --follow",
    examples: [
      ['Last 50 console lines of server 3', 'mcpctl vm logs 3 --tail 50'],
      ['Follow the console until interrupted', 'mcpctl vm logs 3 --follow'],
    ],
  });

  id = Option.String({ name: 'server-id' });
  tail = Option.String('--tail', { validator: t.isNumber() });
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
    const response = await client.open(`${base}/stream`, tail.cursor === null ? {} : { headers: { 'last-event-id': tail.cursor } });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let seen = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((field) => field.startsWith('data: '));
        if (!frame.includes('event: console') || data === undefined) continue;
        this.emit((JSON.parse(data.slice(6)) as { line: string }).line);
        seen += 1;
        if (this.limit !== undefined && seen >= this.limit) {
          await reader.cancel();
          return;
        }
      }
    }
  }
}
