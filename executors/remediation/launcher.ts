// This process's end of its process launcher (launcher-main.ts): started on first use, started again after it
// died, and never what keeps this process alive (its channel is held open only while a launch is in flight).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { LaunchedExit, LauncherReply, LauncherRequest } from './launcher-protocol.ts';

/** What to start: the protocol's spawn request without its addressing. */
export type LaunchRequest = Omit<Extract<LauncherRequest, { op: 'spawn' }>, 'op' | 'id'>;

export interface Launched {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** Settles once the process exited (also when the launcher died: then it was killed with it). */
  exited: Promise<LaunchedExit>;
}

/**
 * One launch. The gate and stop operations go out at once, behind the spawn request: the launcher handles them in
 * order, so they need not wait for the pipes' handles (each handle costs the launcher a round trip to this
 * process), and it ignores them for a process that never started.
 */
export interface Launch {
  /** The started process, or a LaunchError. */
  started: Promise<Launched>;
  open(): void;
  shut(): void;
  stop(graceMs: number): void;
}

/** A launch the launcher refused: the spawn's error code (ENOENT, EACCES), or ELAUNCHER when it is gone. */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
  constructor(readonly code: string) {
    super(`the process could not be started (${code})`);
  }
}

interface Pending {
  stdout?: Readable;
  pid?: number;
  started(launched: Launched): void;
  failed(error: LaunchError): void;
  exit(exit: LaunchedExit): void;
}

// Run from the sources (tests, tsx) the launcher needs the same loader; from dist/ it is plain JavaScript.
const here = fileURLToPath(import.meta.url);
const fromSources = here.endsWith('.ts');
const entry = path.join(path.dirname(here), `launcher-main${fromSources ? '.ts' : '.js'}`);
const projectRoot = path.resolve(path.dirname(here), '../..');

const lostExit: LaunchedExit = { code: null, signal: 'SIGKILL', status: '', stoppedRunning: false };

function startLauncher(): { child: ChildProcess; send(request: LauncherRequest): void; track(id: number, pending: Pending): void } {
  const pending = new Map<number, Pending>();
  // Nothing of this process's environment (database URL, secrets) is the launcher's business.
  const child = fork(entry, [], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    execArgv: fromSources ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const hold = () => {
    if (pending.size > 0) child.channel?.ref();
    else child.channel?.unref();
  };
  child.unref();
  hold();
  child.on('message', (reply: LauncherReply, handle: unknown) => {
    const waiting = pending.get(reply.id);
    if (waiting === undefined) return;
    if (reply.kind === 'stdout') {
      waiting.stdout = handle as Readable;
      waiting.pid = reply.pid;
    } else if (reply.kind === 'stderr') {
      const stderr = handle as Readable;
      let exited!: (exit: LaunchedExit) => void;
      const exit = new Promise<LaunchedExit>((resolve) => (exited = resolve));
      waiting.exit = exited;
      waiting.started({ pid: waiting.pid!, stdout: waiting.stdout!, stderr, exited: exit });
    } else if (reply.kind === 'error') {
      pending.delete(reply.id);
      waiting.failed(new LaunchError(reply.code));
    } else {
      pending.delete(reply.id);
      const { id: _id, kind: _kind, ...exit } = reply;
      waiting.exit(exit);
    }
    hold();
  });
  const send = (request: LauncherRequest) => {
    if (child.connected) child.send(request);
  };
  const lost = () => {
    if (current?.child === child) current = undefined;
    // Its sandboxes went with it (--die-with-parent); anything else it started goes now (this process may signal
    // them: the launcher ran as its user), and what was starting never started.
    for (const waiting of pending.values()) {
      if (waiting.pid !== undefined) {
        try {
          process.kill(-waiting.pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      waiting.failed(new LaunchError('ELAUNCHER'));
      waiting.exit(lostExit);
    }
    pending.clear();
  };
  child.once('exit', lost);
  child.once('error', lost);
  return {
    child,
    send,
    track: (id, waiting) => {
      pending.set(id, waiting);
      hold();
    },
  };
}

let current: ReturnType<typeof startLauncher> | undefined;
let nextId = 1;

/** Start one process through this process's launcher; `started` rejects with LaunchError when it could not be. */
export function launch(request: LaunchRequest): Launch {
  current ??= startLauncher();
  const { track, send } = current;
  const id = nextId++;
  const started = new Promise<Launched>((resolve, reject) => {
    // A launcher lost after the start rejects nothing: the promise is settled, and the exit says what happened.
    track(id, { started: resolve, failed: reject, exit: () => undefined });
    send({ op: 'spawn', id, ...request });
  });
  return {
    started,
    open: () => send({ op: 'open', id }),
    shut: () => send({ op: 'shut', id }),
    stop: (graceMs) => send({ op: 'stop', id, graceMs }),
  };
}
