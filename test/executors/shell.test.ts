import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellPlan } from '../../core/remediation-plan.ts';
import { SANDBOX_PATH } from '../../core/sandbox-argv.ts';
import { CUT_MARK, MAX_LINE_BYTES } from '../../executors/remediation/output-lines.ts';
import { createShellExecutor } from '../../executors/remediation/shell.ts';
import { waitFor } from '../support/wait.ts';
import { marker, processesWith, testContext, testSandbox, waitForLog } from './context.ts';

const shell = createShellExecutor({ outputCapBytes: 4096, sandbox: testSandbox, killGraceMs: 500 });
const plan = (script: string, extra: Record<string, unknown> = {}) => shellPlan.parse({ command: '/bin/sh', args: ['-c', script], ...extra });

describe('shell executor (inside the bubblewrap sandbox)', () => {
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

  it('runs as the sandbox user with no groups, no capabilities and no way to gain privileges, not as the worker', async () => {
    const context = await testContext();
    await shell.execute(plan('id -u; id -g; grep -E "^(Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status'), context);
    const none = '0000000000000000';
    expect(context.lines('stdout').map((line) => line.trimEnd())).toEqual([
      String(testSandbox.uid), String(testSandbox.gid), 'Groups:',
      `CapInh:\t${none}`, `CapPrm:\t${none}`, `CapEff:\t${none}`, `CapBnd:\t${none}`, `CapAmb:\t${none}`, 'NoNewPrivs:\t1',
    ]);
  });

  it('passes only the system PATH, locale and time zone, its private HOME and TMPDIR, plus the plan env', async () => {
    process.env.REMEDIATION_TEST_LEAK = 'leaked';
    const context = await testContext();
    await shell.execute(plan('env', { env: { GREETING: 'hi' } }), context);
    const env = Object.fromEntries(context.lines('stdout').map((line) => line.split('=', 2) as [string, string]));
    expect(env).toMatchObject({ GREETING: 'hi', PATH: SANDBOX_PATH, HOME: '/tmp', TMPDIR: '/tmp' });
    expect(Object.keys(env).every((name) => ['PATH', 'LANG', 'LC_ALL', 'TZ', 'HOME', 'TMPDIR', 'GREETING', 'PWD'].includes(name) || name.startsWith('REMEDIATION_'))).toBe(true);
    expect(env.REMEDIATION_TEST_LEAK).toBeUndefined();
  });

  it('runs in the attempt work directory, or a relative cwd inside it', async () => {
    const context = await testContext();
    await mkdir(path.join(context.workdir, 'scripts'));
    await shell.execute(plan('pwd'), context);
    await shell.execute(plan('pwd', { cwd: 'scripts' }), context);
    expect(context.lines('stdout')).toEqual([context.workdir, path.join(context.workdir, 'scripts')]);
  });

  it.each(['..', 'scripts/../../..', '/etc', '/', tmpdir()])('refuses cwd %s outside the attempt directory, starting nothing', async (cwd) => {
    const context = await testContext();
    const result = await shell.execute(plan('echo ran', { cwd }), context);
    expect(result).toMatchObject({ status: 'failed', failureReason: 'playbook-bug' });
    expect(context.lines('stdout')).toEqual([]);
  });

  it('answers executor-unavailable when the command does not exist in the sandbox', async () => {
    const context = await testContext();
    const result = await shell.execute(shellPlan.parse({ command: '/nonexistent/tool' }), context);
    expect(result).toMatchObject({ status: 'failed', failureReason: 'executor-unavailable' });
    expect(context.lines('stderr').some((line) => line.includes('/nonexistent/tool'))).toBe(true);
  });

  it('reaches the host loopback only with egress: none and loopback are a private namespace', async () => {
    const server = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const connect = `import socket; print(socket.create_connection(('127.0.0.1', ${port}), 2).recv(100).decode().strip())`;
    const open = createShellExecutor({ outputCapBytes: 4096, sandbox: { ...testSandbox, allowEgress: true } });
    const results = [];
    for (const network of ['none', 'loopback', 'egress']) {
      const context = await testContext();
      const result = await open.execute(shellPlan.parse({ command: 'python3', args: ['-c', connect], network }), context);
      results.push([network, result.status, context.lines('stdout')]);
    }
    server.close();
    expect(results).toEqual([['none', 'failed', []], ['loopback', 'failed', []], ['egress', 'succeeded', ['hello from the host']]]);
  });

  it('refuses network egress unless the worker allows it', async () => {
    const context = await testContext();
    expect(await shell.execute(plan('echo ran', { network: 'egress' }), context)).toMatchObject({ status: 'failed', failureReason: 'policy-denied' });
    expect(context.lines('stdout')).toEqual([]);
    const open = createShellExecutor({ outputCapBytes: 4096, sandbox: { ...testSandbox, allowEgress: true } });
    expect(await open.execute(plan('echo ran', { network: 'egress' }), await testContext())).toMatchObject({ status: 'succeeded' });
  });

  it('leaves nothing running after the command ends, not even a setsid grandchild', async () => {
    const tag = marker();
    const result = await shell.execute(plan(`setsid sleep ${tag} & echo started`), await testContext());
    expect(result.status).toBe('succeeded');
    expect(processesWith(`sleep${'\0'}${tag}`)).toEqual([]);
  });

  it('kills the whole process tree when the time limit is reached', async () => {
    const tag = marker();
    const context = await testContext({ timeoutMs: 700 });
    const result = await shell.execute(plan(`sleep ${tag} & echo started; wait`), context);
    expect(result).toMatchObject({ status: 'failed', failureReason: 'timeout' });
    expect(processesWith(`sleep${'\0'}${tag}`)).toEqual([]);
  });

  it('kills the process and its children when cancelled mid-run', async () => {
    const tag = marker();
    const controller = new AbortController();
    const context = await testContext({ signal: controller.signal });
    const script = path.join(context.workdir, 'work.sh');
    await writeFile(script, `#!/bin/sh\nsleep ${tag} &\nsetsid sleep ${tag} &\necho "leader $$"\nwait\n`, { mode: 0o755 });
    const running = shell.execute(shellPlan.parse({ command: script }), context);
    await waitForLog(context.logs, (line) => line.startsWith('leader '));
    // The leader may print before its forked children have exec'd sleep: wait for both to show in /proc.
    await waitFor(async () => processesWith(`sleep${'\0'}${tag}`), (pids) => pids.length === 2, { what: 'both sleeps running' });
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', failureReason: 'cancelled' });
    expect(processesWith(`sleep${'\0'}${tag}`)).toEqual([]);
  });

  it('caps recorded output and says so', async () => {
    const context = await testContext();
    const result = await shell.execute(plan('i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done'), context);
    expect(result.status).toBe('succeeded');
    expect(context.lines('system').some((line) => line.includes('output cap of 4096 bytes'))).toBe(true);
    expect(context.lines('system').some((line) => /output was capped at 4096 bytes; \d+ more bytes/.test(line))).toBe(true);
    expect(context.lines('stdout').join('\n').length).toBeLessThanOrEqual(4096);
  });

  it(`cuts a line longer than ${MAX_LINE_BYTES} bytes and marks it as cut`, async () => {
    const wide = createShellExecutor({ outputCapBytes: 1_000_000, sandbox: testSandbox });
    const context = await testContext();
    await wide.execute(plan("head -c 100000 /dev/zero | tr '\\0' a; echo; echo next"), context);
    const [first, second] = context.lines('stdout');
    expect(first).toBe(`${'a'.repeat(MAX_LINE_BYTES - CUT_MARK.length)}${CUT_MARK}`);
    expect(second).toBe('next');
  });
});
