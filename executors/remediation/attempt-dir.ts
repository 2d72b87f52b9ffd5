// Each attempt's work directory, under a root that only the worker can change. The worker runs as root and hands
// the directory to the sandbox user (chown, then a read-write bind into the sandbox), so a symlink at its path must
// never be followed: its target would be chowned and bound into the tenant's sandbox instead.
// The calls are synchronous: a few metadata system calls on a local directory, on the path to every process
// start, where each hop through libuv's thread pool cost 0.5–1 ms on a busy worker (bench:dispatch).
import { lstatSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';

export class WorkdirUnsafeError extends Error {
  override readonly name = 'WorkdirUnsafeError';
}

/**
 * Every directory from `/` down to `root` must be a real directory owned by root or the worker; none may be
 * writable by group or others, except a sticky ancestor such as `/tmp` (others cannot replace what we own in it).
 * The root itself is never writable by others: they could create a `run-N` before the worker does.
 */
function checkWorkRoot(root: string): void {
  const uid = process.getuid?.() ?? 0;
  const parts = root.split('/').filter(Boolean);
  for (let depth = 0; depth <= parts.length; depth++) {
    const dir = `/${parts.slice(0, depth).join('/')}`;
    const info = lstatSync(dir);
    if (!info.isDirectory()) throw new WorkdirUnsafeError(`${dir} is not a directory`);
    if (info.uid !== 0 && info.uid !== uid) throw new WorkdirUnsafeError(`${dir} is owned by uid ${info.uid}, not by root or the worker`);
    const sticky = (info.mode & 0o1000) !== 0;
    if ((info.mode & 0o022) !== 0 && !(sticky && depth < parts.length)) throw new WorkdirUnsafeError(`${dir} is writable by group or others`);
  }
}

/** Create (if missing) and check REMEDIATION_WORKDIR; answers its real path, under which attempts are made. */
export async function prepareWorkRoot(root: string): Promise<string> {
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const real = realpathSync(root);
  checkWorkRoot(real);
  return real;
}

/**
 * The directory for one attempt. A symlink or a non-directory at `run-N` or `attempt-M` is removed, never followed,
 * and so is an attempt directory owned by anyone but the worker — a leftover of a dead worker's attempt, which the
 * sandbox user owned and wrote. A real directory of the worker's own is kept with its content: under a checked root
 * only root or the worker could have made it.
 */
export async function attemptDir(root: string, runId: number, attempt: number): Promise<string> {
  return attemptDirIn(await runDirUnder(await prepareWorkRoot(root), runId), attempt);
}

/**
 * A run's directory under a root prepareWorkRoot answered. Only the worker ever writes it (the sandbox gets an
 * attempt's directory), so the dispatcher makes it while it claims the attempt: a running attempt of the same run
 * keeps its own.
 */
export async function runDirUnder(real: string, runId: number): Promise<string> {
  return ownDirectory(path.join(real, `run-${runId}`), 0o755);
}

/** An attempt's directory in its run's (runDirUnder), for the dispatcher that claimed the attempt. */
export async function attemptDirIn(runDir: string, attempt: number): Promise<string> {
  return ownDirectory(path.join(runDir, `attempt-${attempt}`), 0o700);
}

/**
 * The attempt's directory for a start behind the start gate, before the claim committed: made now, or already the
 * worker's own; undefined when anything else is there. Such a start clears nothing: a directory the sandbox user owns
 * may be a live attempt's (its job delivered again, here or to another worker on this host), and only the claimant
 * may remove it.
 */
export function earlyAttemptDirIn(runDir: string, attempt: number): string | undefined {
  try {
    return madeOrOwn(path.join(runDir, `attempt-${attempt}`), 0o700);
  } catch {
    // Whatever it is, the claimant meets it again and says so.
    return undefined;
  }
}

/** Remove an attempt's directory; for the claimant only (a start it discarded may have written its files there). */
export function clearAttemptDirIn(runDir: string, attempt: number): void {
  rmSync(path.join(runDir, `attempt-${attempt}`), { recursive: true, force: true });
}

/** `dir` made now, or already a real directory of the worker's own; undefined when anything else is there. */
function madeOrOwn(dir: string, mode: number): string | undefined {
  // The usual case in one call: mkdir never follows a symlink at its last component (it answers EEXIST), so a
  // directory it made is new, ours, and the parent's ownership was checked when the parent was made.
  try {
    mkdirSync(dir, { mode });
    return dir;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const found = lstatSync(dir);
  return found.isDirectory() && found.uid === (process.getuid?.() ?? 0) ? dir : undefined;
}

function ownDirectory(dir: string, mode: number): string {
  if (madeOrOwn(dir, mode) !== undefined) return dir;
  // rm never follows a symlink: it removes the link, not its target. Under a checked root nobody else can make
  // the path again before the mkdir; if somebody did, the mkdir fails.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode });
  return dir;
}

/** The directory of one workspace simulation (same rules as an attempt's). */
export async function simulationDir(root: string, executionId: number): Promise<string> {
  const real = await prepareWorkRoot(root);
  return ownDirectory(path.join(real, `simulation-${executionId}`), 0o700);
}
