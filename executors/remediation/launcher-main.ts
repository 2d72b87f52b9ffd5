// The process launcher: a small, long-lived child of a worker that starts the worker's executor processes. A fork
// costs in proportion to the forking process's memory (1.1 ms from this 50 MB process, 4.3 ms from a 250 MB worker,
// measured here) and blocks the forking event loop while it runs; from here it blocks neither the worker's claims
// nor its lease renewals. Each child's stdout and stderr go back to the worker as handles, so output never passes
// through this process. It writes start-gate bytes, stops process groups when asked, and reports each exit.
//
// Lifetime: it ignores the signals a service manager or a terminal sends a worker's processes (the worker decides
// when its attempts stop); when the worker's channel closes (the worker exited or died) it kills every process group
// it started and exits. Should it die itself, bwrap's --die-with-parent takes the sandboxes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { GATE_FD, type LauncherReply, type LauncherRequest } from './launcher-protocol.ts';

interface Entry {
  child: ChildProcess;
  gate: Writable | undefined;
  status: string;
  stoppedRunning: boolean;
  stopping: boolean;
  killTimer: NodeJS.Timeout | undefined;
}

const entries = new Map<number, Entry>();

const reply = (message: LauncherReply, handle?: Readable) => {
  // A worker that is gone has nothing to hear; the disconnect handler cleans up.
  if (process.connected) process.send?.(message, handle as never);
};

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Whether the child has exited, also when Node has not handled its exit yet (the stop can be read before the exit
 * is): a zombie in /proc, or no entry at all once reaped.
 */
function hasExited(child: ChildProcess): boolean {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return true;
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch (error) {
    // Reaped already; anything else (never seen for our own child) counts as running, so the stop counts.
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Keep this process's side of a child's output pipe unread until its handle has gone to the worker: Node starts
 * reading a child's pipes as it spawns it, and drains untouched ones once the child exits, and what it read here
 * would never reach the worker. No data can arrive before this runs: it runs in the tick of the spawn.
 */
function holdUnread(child: ChildProcess, fd: 1 | 2): Readable {
  const stream = child.stdio[fd] as Readable;
  const handle = (stream as unknown as { _handle?: { reading: boolean; readStop(): number } })._handle;
  if (handle) {
    handle.reading = false;
    handle.readStop();
  }
  (child.stdio as unknown as (Readable | null)[])[fd] = null;
  return stream;
}

function start(request: Extract<LauncherRequest, { op: 'spawn' }>): void {
  const { id } = request;
  // detached: the child leads its own process group, so one kill(-pid) reaches every descendant. An empty
  // environment: the sandbox sets the command's own.
  const child = spawn(request.file, request.args, {
    cwd: request.cwd,
    env: {},
    stdio: ['ignore', 'pipe', 'pipe', request.statusPipe ? 'pipe' : 'ignore', ...(request.gate ? ['pipe' as const] : [])],
    detached: true,
    // libuv switches in the child before the exec: setgroups(0), setgid, then setuid (all three uids).
    ...(request.user ?? {}),
  });
  if (child.pid === undefined) {
    child.once('error', (error: NodeJS.ErrnoException) => reply({ id, kind: 'error', code: error.code ?? 'ESPAWN' }));
    return;
  }
  child.on('error', () => undefined);
  const gate = request.gate ? (child.stdio[GATE_FD] as Writable) : undefined;
  // A child that died before the byte (a bind that failed) makes the write fail: its exit tells the story.
  gate?.on('error', () => undefined);
  const entry: Entry = { child, gate, status: '', stoppedRunning: false, stopping: false, killTimer: undefined };
  entries.set(id, entry);
  const statusPipe = child.stdio[3] as Readable | null;
  statusPipe?.on('data', (chunk: Buffer) => {
    if (entry.status.length < 4096) entry.status += chunk.toString('utf8').slice(0, 4096 - entry.status.length);
  });
  const statusRead = statusPipe ? new Promise((resolve) => statusPipe.once('close', resolve)) : Promise.resolve();
  const stdout = holdUnread(child, 1);
  const stderr = holdUnread(child, 2);
  reply({ id, kind: 'stdout', pid: child.pid }, stdout);
  reply({ id, kind: 'stderr' }, stderr);
  child.once('exit', (code, signal) => {
    // Whatever the leader leaves running (background jobs holding the worker's pipes) goes with it.
    killGroup(child.pid, 'SIGKILL');
    clearTimeout(entry.killTimer);
    gate?.destroy();
    void statusRead.then(() => {
      entries.delete(id);
      reply({ id, kind: 'exit', code, signal, status: entry.status, stoppedRunning: entry.stoppedRunning });
    });
  });
}

process.on('message', (request: LauncherRequest) => {
  if (request.op === 'spawn') {
    start(request);
    return;
  }
  const entry = entries.get(request.id);
  if (entry === undefined) return;
  const { child } = entry;
  if (request.op === 'open') entry.gate?.end('g');
  else if (request.op === 'shut') {
    // Nothing ran behind the gate: no grace is owed. The kill first: a closed pipe reads as the byte, and a process
    // with SIGKILL pending cannot act on anything it reads after it.
    if (!hasExited(child)) killGroup(child.pid, 'SIGKILL');
    entry.gate?.destroy();
  } else if (request.op === 'stop' && !entry.stopping) {
    entry.stopping = true;
    entry.stoppedRunning = !hasExited(child);
    killGroup(child.pid, 'SIGTERM');
    entry.killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), request.graceMs);
  }
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);

process.on('disconnect', () => {
  for (const { child } of entries.values()) if (!hasExited(child)) killGroup(child.pid, 'SIGKILL');
  process.exit(0);
});
