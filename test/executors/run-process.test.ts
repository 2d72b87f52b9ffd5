import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../executors/remediation/run-process.ts';

const children = () => readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').split(' ').filter(Boolean);
const isZombie = (pid: string) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false;
  }
};

describe('runProcess', () => {
  it('reports a process that ended before a late stop as it ended, not as cancelled', async () => {
    const before = new Set(children());
    const controller = new AbortController();
    const running = runProcess({ file: '/bin/sh', args: ['-c', 'echo done'], cwd: '/tmp', timeoutMs: 60_000, signal: controller.signal, outputCapBytes: 1024, onLog: () => {} });
    // An event-loop stall: the child exits while this thread is busy, and the stop (a lease keeper's timer, say)
    // runs before Node has handled the exit.
    const pid = children().find((child) => !before.has(child));
    expect(pid).toBeDefined();
    while (!isZombie(pid!));
    controller.abort(new Error('attempt lease not renewed for half its length'));
    expect(await running).toMatchObject({ exitCode: 0, cancelled: false, timedOut: false });
  });

  it('reports a process the stop reached while it ran as cancelled', async () => {
    const controller = new AbortController();
    const running = runProcess({ file: '/bin/sh', args: ['-c', 'echo started; sleep 30'], cwd: '/tmp', timeoutMs: 60_000, signal: controller.signal, outputCapBytes: 1024, onLog: () => controller.abort(new Error('cancelled by request')) });
    expect(await running).toMatchObject({ cancelled: true });
  });
});
