import { execa } from 'execa';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess, type ProcessRequest } from '../../executors/remediation/run-process.ts';

/** Every process whose parent is `pid` (whichever of its threads started it). */
const children = (pid: number) =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => {
      const stat = (() => {
        try {
          return readFileSync(`/proc/${child}/stat`, 'utf8');
        } catch {
          return '';
        }
      })();
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    });
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};
const state = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2];
  } catch {
    return undefined;
  }
};
/** This process's launcher (started by its first runProcess). */
const launcherPid = () => children(process.pid).find((pid) => cmdline(pid).includes('launcher-main'));
const alive = (pid: number) => state(pid) !== undefined && state(pid) !== 'Z';

const request = (args: string[], rest: Partial<ProcessRequest> = {}): ProcessRequest => ({
  file: '/bin/sh',
  args: ['-c', ...args],
  cwd: '/tmp',
  timeoutMs: 60_000,
  signal: new AbortController().signal,
  outputCapBytes: 1024,
  onLog: () => {},
  ...rest,
});

describe('runProcess', () => {
  it('reports a process that ended before a late stop as it ended, not as cancelled', async () => {
    await runProcess(request(['true']));
    const launcher = launcherPid()!;
    const flag = path.join(await mkdtemp(path.join(tmpdir(), 'late-stop-')), 'go');
    const controller = new AbortController();
    let pid: number | undefined;
    // The launcher is held still while the process ends, so the stop reaches it before the exit is handled.
    const running = runProcess(request([`echo $$; while [ ! -e ${flag} ]; do sleep 0.01; done`], { signal: controller.signal, onLog: (event) => {
      pid = Number(event.line);
      process.kill(launcher, 'SIGSTOP');
      writeFileSync(flag, '');
    } }));
    try {
      await expect.poll(() => pid !== undefined && state(pid) === 'Z', { timeout: 10_000 }).toBe(true);
      controller.abort(new Error('attempt lease not renewed for half its length'));
    } finally {
      process.kill(launcher, 'SIGCONT');
    }
    expect(await running).toMatchObject({ exitCode: 0, cancelled: false, timedOut: false });
  });

  it('reports a process the stop reached while it ran as cancelled', async () => {
    const controller = new AbortController();
    const running = runProcess(request(['echo started; sleep 30'], { signal: controller.signal, onLog: () => controller.abort(new Error('cancelled by request')) }));
    expect(await running).toMatchObject({ cancelled: true });
  });

  it('reports a command that cannot be started, and starts the next one', async () => {
    expect(await runProcess({ ...request([]), file: '/nonexistent/command' })).toMatchObject({ spawnError: 'ENOENT', exitCode: null });
    expect(await runProcess(request(['exit 3']))).toMatchObject({ spawnError: null, exitCode: 3 });
  });
});

describe('the start gate', () => {
  it('holds the process until the gate opens, then lets it read the one byte', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const lines: string[] = [];
    const running = runProcess(request(['echo held; head -c 1 <&4; echo; echo ran'], { gate, onLog: (event) => lines.push(event.line) }));
    await expect.poll(() => lines).toEqual(['held']);
    open();
    expect(await running).toMatchObject({ exitCode: 0, cancelled: false });
    expect(lines).toEqual(['held', 'g', 'ran']);
  });

  it('kills the process group when the gate is shut, and reports it cancelled', async () => {
    let shut!: () => void;
    const gate = new Promise<void>((_resolve, reject) => (shut = () => reject(new Error('not claimed'))));
    const lines: string[] = [];
    const running = runProcess(request(['echo $$; head -c 1 <&4; echo ran'], { gate, onLog: (event) => lines.push(event.line) }));
    await expect.poll(() => lines.length).toBe(1);
    shut();
    expect(await running).toMatchObject({ cancelled: true, exitCode: null, signal: 'SIGKILL' });
    expect(lines).not.toContain('ran');
  });

  // The gate's byte and its shutting go out behind the spawn request, before the pipes' handles come back.
  it('opens for a gate that resolved before the process was started', async () => {
    const lines: string[] = [];
    const outcome = await runProcess(request(['head -c 1 <&4; echo; echo ran'], { gate: Promise.resolve(), onLog: (event) => lines.push(event.line) }));
    expect(outcome).toMatchObject({ exitCode: 0, cancelled: false });
    expect(lines).toEqual(['g', 'ran']);
  });

  it('stays shut for a gate that rejected before the process was started', async () => {
    const lines: string[] = [];
    const outcome = await runProcess(request(['head -c 1 <&4; echo ran'], { gate: Promise.reject(new Error('not claimed')), onLog: (event) => lines.push(event.line) }));
    expect(outcome).toMatchObject({ cancelled: true, exitCode: null, signal: 'SIGKILL' });
    expect(lines).toEqual([]);
  });

  // Whether the launcher wrote the byte before it died cannot be known here: such a process is reported killed,
  // never as one that could not start (which a retry could run a second time).
  it('reports a process killed, not unstarted, when the launcher is lost after the gate opened', async () => {
    await runProcess(request(['true']));
    const launcher = launcherPid()!;
    process.kill(launcher, 'SIGSTOP');
    const running = runProcess(request(['head -c 1 <&4; echo ran'], { gate: Promise.resolve() }));
    // The spawn and the byte are written to the stopped launcher's channel within this turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    process.kill(launcher, 'SIGKILL');
    expect(await running).toMatchObject({ spawnError: null, exitCode: null, signal: 'SIGKILL' });
    // Without the byte sent, the same loss is a start that never happened.
    await runProcess(request(['true']));
    const lost = launcherPid()!;
    process.kill(lost, 'SIGSTOP');
    const held = runProcess(request(['true'], { gate: new Promise<void>(() => {}) }));
    await new Promise((resolve) => setImmediate(resolve));
    process.kill(lost, 'SIGKILL');
    expect(await held).toMatchObject({ spawnError: 'ELAUNCHER', signal: null });
  });
});

describe('the launcher', () => {
  it('takes its process groups with it when its parent dies, and a dead launcher is replaced', async () => {
    // A parent of its own, killed outright: its launcher must kill the sleeper (and its background child) and exit.
    const script = `
      import { runProcess } from './executors/remediation/run-process.ts';
      void runProcess({ file: '/bin/sh', args: ['-c', 'sleep 300 & echo $! $$; wait'], cwd: '/tmp', timeoutMs: 600000, signal: new AbortController().signal, outputCapBytes: 1024, onLog: (e) => console.log(e.line) });
    `;
    const parent = execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), reject: false });
    const pids = await new Promise<number[]>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk).trim().split(' ').map(Number))));
    const launcher = children(parent.pid!).find((pid) => cmdline(pid).includes('launcher-main'))!;
    expect(pids.every(alive)).toBe(true);
    parent.kill('SIGKILL');
    await parent;
    await expect.poll(() => [...pids, launcher].some(alive), { timeout: 10_000 }).toBe(false);

    // This process's own launcher, killed: its running process goes with it, and the next start gets a new one.
    const lines: string[] = [];
    const running = runProcess(request(['echo $$; sleep 300'], { onLog: (event) => lines.push(event.line) }));
    await expect.poll(() => lines.length).toBe(1);
    const first = launcherPid()!;
    process.kill(first, 'SIGKILL');
    expect(await running).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    await expect.poll(() => alive(Number(lines[0]))).toBe(false);
    expect(await runProcess(request(['exit 0']))).toMatchObject({ exitCode: 0 });
    expect(launcherPid()).not.toBe(first);
  });
});
