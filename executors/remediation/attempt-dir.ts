// Each attempt's work directory, under a root that only the worker can change. The worker runs as root and hands
// the directory to the sandbox user (chown, then a read-write bind into the sandbox), so a symlink at its path must
// never be followed: its target would be chowned and bound into the tenant's sandbox instead.
import { lstat, mkdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';

export class WorkdirUnsafeError extends Error {
  override readonly name = 'WorkdirUnsafeError';
}

/**
 * Every directory from `/` down to `root` must be a real directory owned by root or the worker; none may be
 * writable by group or others, except a sticky ancestor such as `/tmp` (others cannot replace what we own in it).
 * The root itself is never writable by others: they could create a `run-N` before the worker does.
 */
export async function checkWorkRoot(root: string): Promise<void> {
  const uid = process.getuid?.() ?? 0;
  const parts = root.split('/').filter(Boolean);
  for (let depth = 0; depth <= parts.length; depth++) {
    const dir = `/${parts.slice(0, depth).join('/')}`;
    const info = await lstat(dir);
    if (!info.isDirectory()) throw new WorkdirUnsafeError(`${dir} is not a directory`);
    if (info.uid !== 0 && info.uid !== uid) throw new WorkdirUnsafeError(`${dir} is owned by uid ${info.uid}, not by root or the worker`);
    const sticky = (info.mode & 0o1000) !== 0;
    if ((info.mode & 0o022) !== 0 && !(sticky && depth < parts.length)) throw new WorkdirUnsafeError(`${dir} is writable by group or others`);
  }
}

/** Create (if missing) and check REMEDIATION_WORKDIR; answers its real path, under which attempts are made. */
export async function prepareWorkRoot(root: string): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o755 });
  const real = await realpath(root);
  await checkWorkRoot(real);
  return real;
}

/**
 * The directory for one attempt. A symlink or a non-directory at `run-N` or `attempt-M` is removed, never followed,
 * and so is an attempt directory owned by anyone but the worker — a leftover of a dead worker's attempt, which the
 * sandbox user owned and wrote. A real directory of the worker's own is kept with its content: under a checked root
 * only root or the worker could have made it.
 */
export async function attemptDir(root: string, runId: number, attempt: number): Promise<string> {
  return attemptDirUnder(await prepareWorkRoot(root), runId, attempt);
}

/** attemptDir under a root prepareWorkRoot answered (the dispatcher checks the root while it claims the attempt). */
export async function attemptDirUnder(real: string, runId: number, attempt: number): Promise<string> {
  const runDir = await ownDirectory(path.join(real, `run-${runId}`), 0o755);
  return ownDirectory(path.join(runDir, `attempt-${attempt}`), 0o700);
}

async function ownDirectory(dir: string, mode: number): Promise<string> {
  const found = await lstat(dir).catch(() => undefined);
  // rm never follows a symlink: it removes the link, not its target.
  if (found !== undefined && !(found.isDirectory() && found.uid === (process.getuid?.() ?? 0))) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const made = await lstat(dir);
  if (!made.isDirectory()) throw new WorkdirUnsafeError(`${dir} is not a directory`);
  return dir;
}

/** The directory of one workspace simulation (same rules as an attempt's). */
export async function simulationDir(root: string, executionId: number): Promise<string> {
  const real = await prepareWorkRoot(root);
  return ownDirectory(path.join(real, `simulation-${executionId}`), 0o700);
}
