import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SANDBOX_PATH, sandboxArgv } from '../../core/sandbox-argv.ts';
import { probeSandbox, SandboxUnavailableError } from '../../executors/remediation/sandbox.ts';
import { BASE_DATABASE_URL, REDIS_URL } from '../support/env.ts';
import { testSandbox } from './context.ts';

describe('the sandbox startup probe', () => {
  it('passes on this host: bubblewrap runs the probe as the sandbox user', async () => {
    await expect(probeSandbox(testSandbox)).resolves.toBeUndefined();
  });

  it('fails with a message naming what is missing when bubblewrap is not there', async () => {
    const probe = probeSandbox({ ...testSandbox, bwrap: '/nonexistent/bwrap' });
    await expect(probe).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(probe).rejects.toThrow(/remediation sandbox is unavailable.*\/nonexistent\/bwrap.*docs\/sandbox\.md/s);
  });

  it('refuses a setuid bubblewrap: the sandbox user would start it privileged', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bwrap-'));
    const bwrap = path.join(dir, 'bwrap');
    await copyFile(testSandbox.bwrap, bwrap);
    await chmod(bwrap, 0o4755);
    await expect(probeSandbox({ ...testSandbox, bwrap })).rejects.toThrow(/is setuid or setgid/);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a worker hosting remediation-execute from starting on such a host: exit 69, never an unsandboxed run', async () => {
    const worker = await execa(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--queues', 'remediation-execute'], {
      extendEnv: false,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: BASE_DATABASE_URL, REDIS_URL, LOG_LEVEL: 'silent', QUEUE_PREFIX: 'sandbox-refusal', REMEDIATION_SANDBOX_BWRAP: '/nonexistent/bwrap' },
      reject: false,
      timeout: 30_000,
    });
    expect(worker.exitCode).toBe(69);
    expect(worker.stderr).toContain('the remediation sandbox is unavailable on this host');
    expect(worker.stderr).not.toContain('    at ');
  }, 40_000);
});

describe('the start gate', () => {
  // The worker's death closes the gate's pipe, which bwrap reads as the byte: the directory it cannot enter before
  // the hand-over is what keeps the command from starting then.
  it('never starts the command when the gate pipe closes before the work directory was handed over', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'gate-'));
    await chmod(root, 0o755);
    const workdir = path.join(root, 'attempt-1');
    await mkdir(workdir, { mode: 0o700 });
    const env = { PATH: SANDBOX_PATH };
    const argv = sandboxArgv({ ...testSandbox, workdir, cwd: workdir, network: 'none', env, statusFd: 3, blockFd: 4 }, '/bin/sh', ['-c', 'echo ran > ran']);
    const child = execa(argv.file, argv.args, { uid: argv.uid, gid: argv.gid, stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], reject: false, env: {}, extendEnv: false });
    let status = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => (status += String(chunk)));
    // Set up and waiting: bwrap reported its child before blocking.
    await expect.poll(() => status.includes('child-pid'), { timeout: 10_000 }).toBe(true);
    (child.stdio[4] as unknown as Writable).destroy();
    const ended = await child;
    expect(ended.exitCode).not.toBe(0);
    expect(ended.stderr).toMatch(/Can't chdir/);
    expect(status).not.toContain('exit-code');
    expect(existsSync(path.join(workdir, 'ran'))).toBe(false);
    await rm(root, { recursive: true, force: true });
  });
});
