// Runs one child process for an executor: argv only, an empty environment (the sandbox sets the command's own),
// raw output chunks cut into bounded lines, an output cap past which the pipes are still drained but nothing is
// kept, and cancellation/timeout that kill the whole process group, not just the leader.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createLineSplitter } from './output-lines.ts';
import type { LogEvent, LogStream } from './types.ts';

export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Node error code when the process could not start (ENOENT, EACCES). */
  spawnError: string | null;
  truncated: boolean;
  /** What the child wrote to fd 3 when `statusPipe` was asked for (at most 4 KiB). */
  status: string;
}

export interface ProcessRequest {
  file: string;
  args: string[];
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  outputCapBytes: number;
  onLog(event: LogEvent): void;
  /** Time between SIGTERM and SIGKILL of the process group. */
  killGraceMs?: number;
  /** Give the child a pipe on fd 3 (bwrap's --json-status-fd) and return what it wrote there. */
  statusPipe?: boolean;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Whether the child has exited, also when Node has not handled its exit yet (an event-loop stall: the abort's timer
 * can run before the exit's callback): a zombie in /proc, or no entry at all once reaped.
 */
function hasExited(child: { pid?: number | undefined; exitCode: number | null; signalCode: NodeJS.Signals | null }): boolean {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return true;
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch (error) {
    // Reaped already; anything else (never seen for our own child) counts as running, so the stop counts.
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Log lines from both pipes, counted against one cap; past it, chunks are only counted, never kept. */
function createOutputSink(request: ProcessRequest) {
  let recorded = 0;
  let dropped = 0;
  let truncated = false;
  const emit = (stream: LogStream, text: string) => {
    if (truncated) return;
    recorded += Buffer.byteLength(text) + 1;
    if (recorded > request.outputCapBytes) {
      truncated = true;
      request.onLog({ stream: 'system', line: `output cap of ${request.outputCapBytes} bytes reached; further output is dropped`, at: new Date() });
      return;
    }
    request.onLog({ stream, line: text, at: new Date() });
  };
  const pump = async (readable: Readable | null, stream: LogStream) => {
    if (readable === null) return;
    const lines = createLineSplitter((line) => emit(stream, line));
    for await (const chunk of readable as AsyncIterable<Buffer>) {
      if (truncated) dropped += chunk.length;
      else lines.push(chunk);
    }
    lines.end();
  };
  return {
    pump,
    finish() {
      if (truncated) request.onLog({ stream: 'system', line: `output was capped at ${request.outputCapBytes} bytes; ${dropped} more bytes were read and not recorded`, at: new Date() });
      return truncated;
    },
  };
}

export async function runProcess(request: ProcessRequest): Promise<ProcessOutcome> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const stop = AbortSignal.any([request.signal, timeout]);
  const grace = request.killGraceMs ?? 2_000;
  const sink = createOutputSink(request);

  // detached: the child leads its own process group, so one kill(-pid) reaches every descendant.
  const child = execa(request.file, request.args, {
    cwd: request.cwd,
    env: {},
    extendEnv: false,
    stdio: ['ignore', 'pipe', 'pipe', ...(request.statusPipe ? ['pipe' as const] : [])],
    buffer: false,
    encoding: 'buffer',
    reject: false,
    detached: true,
    cancelSignal: stop,
    forceKillAfterDelay: grace,
  });
  let forceTimer: NodeJS.Timeout | undefined;
  // Whether the stop reached a running process: one that had exited by itself (its exit not yet seen by Node) ran
  // to its end, and is reported as it ended, not as cancelled or timed out.
  let stoppedRunning = stop.aborted;
  const onStop = () => {
    stoppedRunning = !hasExited(child);
    killGroup(child.pid, 'SIGTERM');
    forceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
  };
  stop.addEventListener('abort', onStop, { once: true });
  // Whatever the leader leaves running (background jobs holding our pipes) goes with it: a run leaves nothing behind.
  child.on('exit', () => killGroup(child.pid, 'SIGKILL'));

  let status = '';
  const statusPipe = child.stdio[3] as Readable | undefined;
  statusPipe?.on('data', (chunk: Buffer) => {
    if (status.length < 4096) status += chunk.toString('utf8').slice(0, 4096 - status.length);
  });
  const lines = Promise.all([sink.pump(child.stdout, 'stdout'), sink.pump(child.stderr, 'stderr')]);
  const result = await child;
  // A pipe that broke after the child ended loses at most its tail: record that in the log instead of failing the attempt.
  await lines.catch((error: unknown) => request.onLog({ stream: 'system', line: `output stream ended early: ${(error as Error).name}`, at: new Date() }));
  stop.removeEventListener('abort', onStop);
  clearTimeout(forceTimer);

  const spawnError = result.exitCode === undefined && result.signal === undefined ? (result.code ?? 'ESPAWN') : null;
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: stoppedRunning && timeout.aborted && !request.signal.aborted,
    cancelled: stoppedRunning && request.signal.aborted,
    spawnError,
    truncated: sink.finish(),
    status,
  };
}
