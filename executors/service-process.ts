// A local service the platform runs as its own child (the embedded Postgres, a private redis-server): started with a
// parent-death signal so it never outlives us, ready when it prints its ready line, stopped by a signal we await.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

/** A local service that could not start; `npm start` prints its message as one line and exits 69. */
export class ServiceStartError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ServiceStartError';
  }
}

export interface ServiceProcess {
  pid: number;
  /** Send `signal` and resolve once the process has exited (at once when it already has). */
  stop(): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  /** Run as this uid/gid (supplementary groups cleared); only when the platform runs as root. */
  user?: { uid: number; gid: number };
  env: Record<string, string>;
  /** The process is ready once a line on `stream` matches. */
  ready: { stream: 'stdout' | 'stderr'; line: RegExp };
  stopSignal: NodeJS.Signals;
  logger: Logger;
}

/** `name` as found on PATH (or itself when it holds a slash), if it is an executable file. */
export function findExecutable(name: string, path = process.env.PATH ?? '/usr/bin:/bin'): string | undefined {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** util-linux setpriv gives the child a parent-death signal (set after the uid change, so it survives it). */
function launcher(spec: ServiceSpec): { file: string; args: string[] } {
  const setpriv = findExecutable('setpriv');
  const user = spec.user ? ['--reuid', String(spec.user.uid), '--regid', String(spec.user.gid), '--clear-groups'] : [];
  if (setpriv) return { file: setpriv, args: ['--pdeathsig', spec.stopSignal, ...user, '--', spec.command, ...spec.args] };
  if (spec.user) throw new ServiceStartError(`${spec.name} must drop root privileges and needs util-linux setpriv for it`);
  return { file: spec.command, args: spec.args };
}

function logLines(child: ChildProcess, spec: ServiceSpec, onLine: (stream: 'stdout' | 'stderr', line: string) => void): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = child[stream];
    if (!source) continue;
    createInterface({ input: source }).on('line', (line) => {
      const level = /\b(ERROR|FATAL|PANIC|WARNING)\b|# WARNING/.test(line) ? 'warn' : 'debug';
      spec.logger[level]({ service: spec.name, line }, 'service output');
      onLine(stream, line);
    });
  }
}

export async function startServiceProcess(spec: ServiceSpec): Promise<ServiceProcess> {
  const { file, args } = launcher(spec);
  // Its own session: a Ctrl-C in the terminal signals the platform's process group, and the service must outlive
  // the platform's graceful shutdown, which still writes to it; it stops when stop() (or the parent's death) says.
  const child = spawn(file, args, { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const recent: string[] = [];
  await new Promise<void>((resolve, reject) => {
    logLines(child, spec, (stream, line) => {
      recent.push(line);
      if (recent.length > 5) recent.shift();
      if (stream === spec.ready.stream && spec.ready.line.test(line)) resolve();
    });
    child.once('error', (error) => reject(new ServiceStartError(`${spec.name} could not start: ${error.message}`, { cause: error })));
    // 'close' comes after the last line of output was read, so the message can quote it.
    child.once('close', (code, signal) => {
      const last = recent.at(-1) ?? 'no output';
      reject(new ServiceStartError(`${spec.name} exited before it was ready (${signal ?? `code ${code}`}): ${last}`));
    });
  });
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill(spec.stopSignal);
      await exited;
    },
  };
}
