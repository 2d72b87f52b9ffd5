// Runs one child process for an executor: argv only, a fixed environment, lines streamed as log events,
// an output cap, and cancellation/timeout that kill the whole process group, not just the leader.
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { LogEvent, LogStream } from './types.ts';

/** The only parent variables a child inherits; everything else it gets comes from the plan. */
export const inheritedEnv = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'HOME', 'TMPDIR'] as const;

export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Node error code when the process could not start (ENOENT, EACCES). */
  spawnError: string | null;
  truncated: boolean;
}

export interface ProcessRequest {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  outputCapBytes: number;
  onLog(event: LogEvent): void;
  /** Time between SIGTERM and SIGKILL of the process group. */
  killGraceMs?: number;
  parentEnv?: Record<string, string | undefined>;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function runProcess(request: ProcessRequest): Promise<ProcessOutcome> {
  const parentEnv = request.parentEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const name of inheritedEnv) if (parentEnv[name] !== undefined) env[name] = parentEnv[name] as string;
  Object.assign(env, request.env);

  const timeout = AbortSignal.timeout(request.timeoutMs);
  const stop = AbortSignal.any([request.signal, timeout]);
  const grace = request.killGraceMs ?? 2_000;
  let emitted = 0;
  let truncated = false;
  const emit = (stream: LogStream, line: string) => {
    if (truncated) return;
    emitted += Buffer.byteLength(line) + 1;
    if (emitted > request.outputCapBytes) {
      truncated = true;
      request.onLog({ stream: 'system', line: `output cap of ${request.outputCapBytes} bytes reached; further output is dropped`, at: new Date() });
      return;
    }
    request.onLog({ stream, line, at: new Date() });
  };

  // detached: the child leads its own process group, so one kill(-pid) reaches every descendant.
  const child = execa(request.file, request.args, {
    cwd: request.cwd,
    env,
    extendEnv: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    detached: true,
    cancelSignal: stop,
    forceKillAfterDelay: grace,
  });
  let forceTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    killGroup(child.pid, 'SIGTERM');
    forceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
  };
  stop.addEventListener('abort', onStop, { once: true });
  // Whatever the leader leaves running (background jobs holding our pipes) goes with it: a run leaves nothing behind.
  child.on('exit', () => killGroup(child.pid, 'SIGKILL'));

  const pump = (readable: Readable | null, stream: LogStream) =>
    readable === null ? Promise.resolve() : (async () => {
      for await (const line of createInterface({ input: readable, crlfDelay: Infinity })) emit(stream, line);
    })();
  const lines = Promise.all([pump(child.stdout, 'stdout'), pump(child.stderr, 'stderr')]);
  const result = await child;
  // A pipe that broke after the child ended loses at most its tail: record that in the log instead of failing the attempt.
  await lines.catch((error: unknown) => request.onLog({ stream: 'system', line: `output stream ended early: ${(error as Error).name}`, at: new Date() }));
  stop.removeEventListener('abort', onStop);
  clearTimeout(forceTimer);

  const spawnError = result.exitCode === undefined && result.signal === undefined ? (result.code ?? 'ESPAWN') : null;
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: timeout.aborted && !request.signal.aborted,
    cancelled: request.signal.aborted,
    spawnError,
    truncated,
  };
}
