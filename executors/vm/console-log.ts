// Reads a VM's console log on this host: the last N lines across the live file and its rotated siblings
// (virtlogd keeps `x.log`, `x.log.0` (newest backup), `x.log.1`, … — read newest first, the way Nova does).
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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

export function splitConsoleLines(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.replace(/\r/g, ''));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The last `tail` lines, oldest first, and `cursor`: the live file's byte length as read (where a follow resumes). */
export async function tailConsole(path: string, tail: number): Promise<{ lines: string[]; cursor: number }> {
  const collected: string[][] = [];
  let count = 0;
  let cursor = 0;
  for (const file of await consoleFiles(path)) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    if (file === path) cursor = Buffer.byteLength(text);
    const lines = splitConsoleLines(text);
    collected.unshift(lines);
    count += lines.length;
    if (count >= tail) break;
  }
  return { lines: collected.flat().slice(-tail), cursor };
}
