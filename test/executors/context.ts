// A fresh execution context for executor tests: a private work directory and the log lines it received.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../core/config.ts';
import { sandboxOptions } from '../../executors/remediation/sandbox.ts';
import type { ExecutionContext, LogEvent } from '../../executors/remediation/types.ts';

/** The sandbox a worker with the default configuration uses. */
export const testSandbox = sandboxOptions(parseConfig({}));

export async function testContext(overrides: Partial<ExecutionContext> = {}): Promise<ExecutionContext & { logs: LogEvent[]; lines(stream?: string): string[] }> {
  const logs: LogEvent[] = [];
  const workdir = await mkdtemp(path.join(tmpdir(), 'remediation-exec-'));
  return {
    signal: new AbortController().signal,
    onLog: (event) => logs.push(event),
    attempt: 1,
    ownerId: 'owner-a',
    idempotencyKey: 'run-1-attempt-1',
    timeoutMs: 20_000,
    variables: { run_id: '1', vm_instance_id: '7' },
    workdir,
    ...overrides,
    logs,
    lines: (stream) => logs.filter((event) => stream === undefined || event.stream === stream).map((event) => event.line),
  };
}

/** Resolves once `predicate` holds for a log line; rejects after `ms`. */
export function waitForLog(logs: LogEvent[], predicate: (line: string) => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (logs.some((event) => predicate(event.line))) return resolve();
      if (Date.now() > deadline) return reject(new Error('log line never appeared'));
      setTimeout(check, 20);
    };
    check();
  });
}

/** True while `pid` runs; a zombie (exited, not yet reaped by an init that never reaps) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A string unique to one test, to put in a command line and look for afterwards (`sleep 600.<digits>`). */
export const marker = () => `600.${parseInt(randomBytes(4).toString('hex'), 16)}`;

/** Host pids of live processes whose command line contains `text`: sandboxed pids differ from host pids. */
export function processesWith(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
