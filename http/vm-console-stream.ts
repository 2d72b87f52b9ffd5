// SSE of a VM's console: follows the log file on this host and sends each new line as a `console` event whose id is
// the line's end offset (plus the sizes of files rotated away while connected), so Last-Event-ID resumes in place.
import type { Context } from 'koa';
import { open, stat } from 'node:fs/promises';
import { openSse, resumeId } from './sse.ts';

const POLL_MS = 250;
const CHUNK = 64 * 1024;

export function serveConsoleStream(
  ctx: Context,
  settings: { heartbeatMs: number; maxBufferedBytes: number },
  options: { path: string; serverId: number; domainName: string },
): undefined {
  const resume = resumeId(ctx);
  const connection = openSse(ctx, settings);
  let inode: number | undefined;
  let offset = -1;
  let base = 0;
  let partial = '';
  let busy = false;

  async function poll(): Promise<void> {
    const info = await stat(options.path).catch(() => undefined);
    if (info === undefined) return;
    if (offset < 0) offset = resume !== undefined && resume <= info.size ? resume : resume === undefined ? info.size : 0;
    if (inode !== undefined && (info.ino !== inode || info.size < offset)) {
      // Rotated or truncated: keep ids increasing, start the new file from its beginning.
      base += offset;
      offset = 0;
      partial = '';
    }
    inode = info.ino;
    if (info.size <= offset) return;
    const handle = await open(options.path, 'r');
    try {
      while (offset < info.size && !connection.closed) {
        const buffer = Buffer.alloc(Math.min(CHUNK, info.size - offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        let text = partial + buffer.subarray(0, bytesRead).toString('utf8');
        let start = offset - Buffer.byteLength(partial);
        offset += bytesRead;
        partial = '';
        for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n')) {
          const line = text.slice(0, newline).replace(/\r/g, '');
          start += Buffer.byteLength(text.slice(0, newline + 1));
          connection.send({ id: base + start, event: 'console', data: { server_id: options.serverId, domain_name: options.domainName, line } });
          text = text.slice(newline + 1);
        }
        partial = text;
      }
    } finally {
      await handle.close();
    }
  }

  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    poll()
      .catch(() => connection.close())
      .finally(() => {
        busy = false;
      });
  }, POLL_MS);
  connection.onClose(() => clearInterval(timer));
  return undefined;
}
