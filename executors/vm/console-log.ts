// Reads a VM's console log on this host: the last N lines across the live file and its rotated siblings
// (virtlogd keeps `x.log`, `x.log.0` (newest backup), `x.log.1`, … — read newest first, the way Nova does).
import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CUT_MARK, MAX_LINE_BYTES } from '../remediation/output-lines.ts';

/** The live file first, then its backups newest to oldest. */
export async function consoleFiles(path: string): Promise<string[]> {
  const base = basename(path);
  const entries = await readdir(dirname(path)).catch(() => [] as string[]);
  const backups = entries
    .map((entry) => ({ entry, match: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)$`).exec(entry) }))
    .filter((candidate) => candidate.match !== null)
    .sort((a, b) => Number(a.match?.[1]) - Number(b.match?.[1]))
    .map((candidate) => join(dirname(path), candidate.entry));
  return [path, ...backups];
}

/**
 * What following or tailing a console may cost a process at most, whatever the guest prints (the test holds an
 * API-like process to it with a 700 MB line): per reader one 64 KiB read buffer and `tail` lines of 8 KiB.
 */
export const CONSOLE_RSS_BOUND_BYTES = 256 * 1024 * 1024;

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;
const KEPT = MAX_LINE_BYTES - CUT_MARK.length;

/** A line's kept start as text: cut back to a UTF-8 character boundary, marked when the line was longer. */
function lineText(kept: Buffer, cut: boolean): string {
  let end = Math.min(kept.length, KEPT);
  while (cut && end > 0 && ((kept[end] as number) & 0xc0) === 0x80) end--;
  const line = kept.subarray(0, end).toString('utf8').replace(/\r/g, '');
  return cut ? `${line}${CUT_MARK}` : line;
}

/**
 * The last `tail` lines of one file, oldest first, read backwards in 64 KiB chunks. Of each line only its first
 * MAX_LINE_BYTES are kept (cut and marked, as the stream does), so memory stays bounded by `tail` lines of 8 KiB
 * however long a line is; a 700 MB line without a newline is scanned once, never held.
 */
async function tailFile(path: string, tail: number): Promise<{ lines: string[]; size: number }> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (handle === undefined) return { lines: [], size: 0 };
  try {
    const { size } = await handle.stat();
    const lines: string[] = [];
    const buffer = Buffer.alloc(CHUNK);
    // The line being assembled right to left: `kept` is the leftmost part seen so far, at most KEPT bytes.
    let kept = Buffer.alloc(0);
    let length = 0;
    const finish = () => {
      lines.unshift(lineText(kept, length > KEPT));
      kept = Buffer.alloc(0);
      length = 0;
    };
    const prepend = (piece: Buffer) => {
      length += piece.length;
      // KEPT + 1 bytes: one past the kept start tells a cut line, and where a character would be split.
      kept = Buffer.from(Buffer.concat([piece, kept]).subarray(0, KEPT + 1)); // a copy: a slice would pin the chunk
    };
    let position = size;
    while (position > 0 && lines.length < tail) {
      const from = Math.max(0, position - CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, position - from, from);
      const chunk = buffer.subarray(0, bytesRead);
      let end = chunk.length;
      for (let newline = chunk.lastIndexOf(NEWLINE, end - 1); newline >= 0 && lines.length < tail; newline = end > 0 ? chunk.lastIndexOf(NEWLINE, end - 1) : -1) {
        // The file's final newline ends the last line; it does not start an empty one after it.
        if (from + newline !== size - 1) {
          prepend(chunk.subarray(newline + 1, end));
          finish();
        }
        end = newline;
      }
      if (lines.length < tail) prepend(chunk.subarray(0, end));
      position = from;
    }
    // Left of the first newline is the file's first line (empty when the file starts with a newline).
    if (position === 0 && size > 0 && lines.length < tail) finish();
    return { lines, size };
  } finally {
    await handle.close();
  }
}

/** The last `tail` lines, oldest first, and `cursor`: the live file's byte length as read (where a follow resumes). */
export async function tailConsole(path: string, tail: number): Promise<{ lines: string[]; cursor: number }> {
  const collected: string[][] = [];
  let count = 0;
  let cursor = 0;
  for (const file of await consoleFiles(path)) {
    const { lines, size } = await tailFile(file, tail - count);
    if (file === path) cursor = size;
    collected.unshift(lines);
    count += lines.length;
    if (count >= tail) break;
  }
  return { lines: collected.flat().slice(-tail), cursor };
}
