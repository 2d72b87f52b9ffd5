import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createShellExecutor } from '../../executors/remediation/shell.ts';
import { isAlive, testContext, waitForLog } from './context.ts';

// testContext() makes each attempt directory under tmpdir(), which stands in for REMEDIATION_WORKDIR.
const shell = createShellExecutor({ outputCapBytes: 4096, root: tmpdir(), killGraceMs: 500 });
const plan = (script: string, extra: Record<string, unknown> = {}) => ({ command: '/bin/sh', args: ['-c', script], env: {}, ...extra });

describe('shell executor', () => {
  it('streams stdout and stderr and succeeds on exit 0', async () => {
    const context = await testContext();
    const result = await shell.execute(plan('echo hello; echo oops >&2; echo "run=$REMEDIATION_RUN_ID attempt=$REMEDIATION_ATTEMPT"'), context);
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, failureReason: null });
    expect(context.lines('stdout')).toEqual(['hello', 'run=1 attempt=1']);
    expect(context.lines('stderr')).toEqual(['oops']);
  });

  it('reports a non-zero exit as a structural playbook bug and EX_TEMPFAIL as a dependency outage', async () => {
    expect(await shell.execute(plan('exit 3'), await testContext())).toMatchObject({ status: 'failed', exitCode: 3, failureReason: 'playbook-bug' });
    expect(await shell.execute(plan('exit 75'), await testContext())).toMatchObject({ status: 'failed', exitCode: 75, failureReason: 'dependency-outage' });
  });

  it('passes only the environment allowlist plus the plan env', async () => {
    process.env.REMEDIATION_TEST_LEAK = 'leaked';
    const context = await testContext();
    await shell.execute(plan('env', { env: { GREETING: 'hi' } }), context);
    const names = context.lines('stdout').map((line) => line.split('=')[0]);
    expect(names).toContain('GREETING');
    expect(names).not.toContain('REMEDIATION_TEST_LEAK');
    expect(names.every((name) => ['PATH', 'LANG', 'LC_ALL', 'TZ', 'HOME', 'TMPDIR', 'GREETING', 'PWD', 'SHLVL', '_'].includes(name!) || name!.startsWith('REMEDIATION_'))).toBe(true);
  });

  it('runs in the attempt work directory unless the plan names one', async () => {
    const context = await testContext();
    await shell.execute(plan('pwd'), context);
    expect(context.lines('stdout')).toEqual([context.workdir]);
  });

  it('runs in a plan cwd inside the attempt directory or under the root', async () => {
    const context = await testContext();
    await mkdir(path.join(context.workdir, 'scripts'));
    await shell.execute(plan('pwd', { cwd: 'scripts' }), context);
    await shell.execute(plan('pwd', { cwd: tmpdir() }), context);
    expect(context.lines('stdout')).toEqual([path.join(context.workdir, 'scripts'), tmpdir()]);
  });

  it.each(['..', 'scripts/../../..', '/etc', '/'])('refuses cwd %s outside the attempt directory and the root, starting nothing', async (cwd) => {
    const context = await testContext();
    const result = await shell.execute(plan('echo ran', { cwd }), context);
    expect(result).toMatchObject({ status: 'failed', failureReason: 'playbook-bug' });
    expect(context.lines('stdout')).toEqual([]);
  });

  it('answers executor-unavailable when the command does not exist', async () => {
    const result = await shell.execute({ command: '/nonexistent/tool', args: [], env: {} }, await testContext());
    expect(result).toMatchObject({ status: 'failed', failureReason: 'executor-unavailable' });
  });

  it('kills the whole process tree when the time limit is reached', async () => {
    const context = await testContext({ timeoutMs: 700 });
    const pidFile = path.join(context.workdir, 'pids');
    const result = await shell.execute(plan(`sleep 30 & echo $! > ${pidFile}; echo started; wait`), context);
    expect(result).toMatchObject({ status: 'failed', failureReason: 'timeout' });
    const { readFile } = await import('node:fs/promises');
    expect(isAlive(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('kills the process and its children when cancelled mid-run', async () => {
    const controller = new AbortController();
    const context = await testContext({ signal: controller.signal });
    const script = path.join(context.workdir, 'work.sh');
    await writeFile(script, '#!/bin/sh\nsleep 30 &\necho "child $!"\necho "leader $$"\nwait\n', { mode: 0o755 });
    const running = shell.execute({ command: script, args: [], env: {} }, context);
    await waitForLog(context.logs, (line) => line.startsWith('leader '));
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', failureReason: 'cancelled' });
    const pids = context.lines('stdout').map((line) => Number(line.split(' ')[1]));
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('caps recorded output and says so', async () => {
    const context = await testContext();
    const result = await shell.execute(plan('i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done'), context);
    expect(result.status).toBe('succeeded');
    expect(context.lines('system').some((line) => line.includes('output cap of 4096 bytes'))).toBe(true);
    expect(context.lines('stdout').join('\n').length).toBeLessThanOrEqual(4096);
  });
});
