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

export async function tailConsole(path: string, tail: number): Promise<string[]> {
  const collected: string[][] = [];
  let count = 0;
  for (const file of await consoleFiles(path)) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const lines = splitConsoleLines(text);
    collected.unshift(lines);
    count += lines.length;
    if (count >= tail) break;
  }
  return collected.flat().slice(-tail);
}
