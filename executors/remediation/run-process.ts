// Runs one child process for an executor: argv only, an empty environment (the sandbox sets the command's own),
// raw output chunks cut into bounded lines, an output cap past which the pipes are still drained but nothing is
// kept, and cancellation/timeout that kill the whole process group, not just the leader. The process is started by
// this process's launcher (launcher.ts), which keeps the fork off this event loop; its pipes are read here.
import type { Readable } from 'node:stream';
import { launch, LaunchError, type Launched } from './launcher.ts';
import { createLineSplitter } from './output-lines.ts';
import type { LogEvent, LogStream } from './types.ts';

export { GATE_FD } from './launcher-protocol.ts';

export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Why the process could not start (ENOENT, EACCES; ELAUNCHER when the launcher was gone). */
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
  /** Start the process as this user and group, with no supplementary groups (the worker runs as root). */
  user?: { uid: number; gid: number };
  /** Give the child a pipe on fd 3 (bwrap's --json-status-fd) and return what it wrote there. */
  statusPipe?: boolean;
  /**
   * Give the child a pipe on fd 4 (GATE_FD, bwrap's --block-fd) and write one byte to it once `gate` resolves. When
   * it rejects instead, the process group is killed and the outcome is `cancelled`.
   */
  gate?: Promise<void>;
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
  const withoutExit = (spawnError: string | null, signal: string | null = null): ProcessOutcome => ({ exitCode: null, signal, timedOut: false, cancelled: false, spawnError, truncated: false, status: '' });

  const launching = launch({
    file: request.file, args: request.args, cwd: request.cwd, statusPipe: request.statusPipe ?? false, gate: request.gate !== undefined, ...(request.user ? { user: request.user } : {}),
  });
  // The gate and the stop reach the launcher behind the spawn, whether or not the pipes have arrived here yet.
  let gateShut = false;
  let opened = false;
  request.gate?.then(
    () => {
      opened = true;
      launching.open();
    },
    () => {
      gateShut = true;
      launching.shut();
    },
  );
  // The launcher answers whether the stop reached a running process: one that had exited by itself (its exit not
  // yet seen) ran to its end, and is reported as it ended, not as cancelled or timed out.
  const onStop = () => launching.stop(grace);
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  let child: Launched;
  try {
    child = await launching.started;
  } catch (error) {
    stop.removeEventListener('abort', onStop);
    // A launcher lost once the gate's byte was on its way may have let the command start: it was killed with the
    // launcher, and is never reported as one that could not start (which a retry could run a second time).
    if (error instanceof LaunchError && error.code === 'ELAUNCHER' && opened) return withoutExit(null, 'SIGKILL');
    if (error instanceof LaunchError) return withoutExit(error.code);
    throw error;
  }
  const lines = Promise.all([sink.pump(child.stdout, 'stdout'), sink.pump(child.stderr, 'stderr')]);
  const exit = await child.exited;
  // A pipe that broke after the child ended loses at most its tail: record that in the log instead of failing the attempt.
  await lines.catch((error: unknown) => request.onLog({ stream: 'system', line: `output stream ended early: ${(error as Error).name}`, at: new Date() }));
  stop.removeEventListener('abort', onStop);
  return {
    exitCode: exit.code,
    signal: exit.signal,
    timedOut: exit.stoppedRunning && timeout.aborted && !request.signal.aborted,
    cancelled: gateShut || (exit.stoppedRunning && request.signal.aborted),
    spawnError: null,
    truncated: sink.finish(),
    status: exit.status,
  };
}
