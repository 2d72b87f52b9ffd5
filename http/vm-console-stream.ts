// SSE of a VM's console: follows the log file on this host and sends each new line as a `console` event whose id is
// the line's end offset (plus the sizes of files rotated away while connected), so Last-Event-ID resumes in place.
import type { Context } from 'koa';
import { open, stat } from 'node:fs/promises';
import { openSse, resumeId, type SseOptions } from './sse.ts';

const POLL_MS = 250;
const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

export function serveConsoleStream(
  ctx: Context,
  settings: SseOptions,
  options: { path: string; serverId: number; domainName: string },
): undefined {
  const resume = resumeId(ctx);
  const connection = openSse(ctx, settings);
  let inode: number | undefined;
  let offset = -1;
  let base = 0;
  // Bytes after the last newline: kept as bytes so a character split across two writes is decoded whole.
  let partial = Buffer.alloc(0);
  let busy = false;

  /** Send every complete line in `path` between `offset` and `end`. */
  async function readUpTo(path: string, end: number): Promise<void> {
    if (end <= offset) return;
    const handle = await open(path, 'r');
    try {
      while (offset < end && !connection.closed) {
        const buffer = Buffer.alloc(Math.min(CHUNK, end - offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        let text = Buffer.concat([partial, buffer.subarray(0, bytesRead)]);
        // File position of text[0]: the pending bytes may have come from a file rotated away (then it is negative).
        let start = offset - partial.length;
        offset += bytesRead;
        for (let newline = text.indexOf(NEWLINE); newline >= 0; newline = text.indexOf(NEWLINE)) {
          const line = text.subarray(0, newline).toString('utf8').replace(/\r/g, '');
          start += newline + 1;
          connection.send({
            id: base + start,
            event: 'console',
            data: { server_id: options.serverId, domain_name: options.domainName, line },
          });
          text = text.subarray(newline + 1);
        }
        partial = Buffer.from(text);
      }
    } finally {
      await handle.close();
    }
  }

  /** virtlogd renames the live file to `.0` when it rotates: finish that file before starting the new one. */
  async function finishRotated(): Promise<void> {
    const rotated = `${options.path}.0`;
    const info = await stat(rotated).catch(() => undefined);
    if (info !== undefined && info.ino === inode) await readUpTo(rotated, info.size);
  }

  async function poll(): Promise<void> {
    const info = await stat(options.path).catch(() => undefined);
    if (info === undefined) return;
    if (offset < 0) offset = resume !== undefined && resume <= info.size ? resume : resume === undefined ? info.size : 0;
    if (inode !== undefined && info.ino !== inode) {
      await finishRotated();
      base += offset;
      offset = 0;
    } else if (info.size < offset) {
      // Truncated in place: what was pending is gone; keep ids increasing.
      base += offset;
      offset = 0;
      partial = Buffer.alloc(0);
    }
    inode = info.ino;
    await readUpTo(options.path, info.size);
  }

  const tick = () => {
    if (busy) return;
    busy = true;
    poll()
      .catch(() => connection.close())
      .finally(() => {
        busy = false;
      });
  };
  // The first poll runs at once: a stream that starts at the file's end must not miss lines written while it waits.
  tick();
  const timer = setInterval(tick, POLL_MS);
  connection.onClose(() => clearInterval(timer));
  return undefined;
}
