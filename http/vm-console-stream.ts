// SSE of a VM's console: follows the log file on this host and sends each new line as a `console` event whose id is
// the line's end offset (plus the sizes of files rotated away while connected), so Last-Event-ID resumes in place.
// Lines are cut at 8 KiB like executor output (executors/remediation/output-lines.ts), whatever the guest prints.
import type { Context } from 'koa';
import { open, stat } from 'node:fs/promises';
import { createLineSplitter } from '../executors/remediation/output-lines.ts';
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
  // The unfinished line lives in the splitter, bounded by MAX_LINE_BYTES (a longer line is cut and marked, the rest
  // skipped), so a guest printing without newlines costs constant memory and linear CPU. It carries across a rotation.
  let lineEnd = 0;
  const emit = (line: string) =>
    connection.send({ id: lineEnd, event: 'console', data: { server_id: options.serverId, domain_name: options.domainName, line: line.replace(/\r/g, '') } });
  let splitter = createLineSplitter(emit);
  const buffer = Buffer.alloc(CHUNK);
  let busy = false;

  /** Send every complete line in `path` between `offset` and `end`. */
  async function readUpTo(path: string, end: number): Promise<void> {
    if (end <= offset) return;
    const handle = await open(path, 'r');
    try {
      while (offset < end && !connection.closed) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, end - offset), offset);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        let start = 0;
        // One push per line, so the id of the line the splitter emits is known: the file position after its newline.
        for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
          lineEnd = base + offset + newline + 1;
          splitter.push(chunk.subarray(start, newline + 1));
          start = newline + 1;
        }
        splitter.push(chunk.subarray(start));
        offset += bytesRead;
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
      splitter = createLineSplitter(emit);
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
