import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
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
