// The worker runs as root and hands each attempt's directory to the sandbox user. Whatever already sits at that
// path — a symlink someone with write access to the work directory planted, or a leftover of a dead worker — must
// not become the attempt's directory: otherwise the worker chowns the link's target tree to the sandbox user and
// binds it read-write into the tenant's sandbox (a link to /etc or /root/.ssh is root on the host).
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSandbox, SandboxUnavailableError } from '../../executors/remediation/sandbox.ts';
import { testSandbox } from '../executors/context.ts';
import { approver, createInstance, createPlaybook, waitForRun } from '../remediation/support.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const base = `/tmp/workdir-hijack-${process.pid}`;
const workdir = path.join(base, 'remediation');
const host = path.join(base, 'host-secrets');
let platform: TestPlatform;

beforeAll(async () => {
  await mkdir(workdir, { recursive: true });
  await mkdir(host, { recursive: true });
  await writeFile(path.join(host, 'secret'), 'host-secret-value\n', { mode: 0o600 });
  platform = await startTestPlatform({ workers: ['remediation-execute'], env: { REMEDIATION_WORKDIR: workdir } });
});
afterAll(async () => {
  await platform.close();
  await rm(base, { recursive: true, force: true });
});

const logOf = async (runId: number): Promise<string> => {
  const artifacts = (await (await platform.api(`/api/trust/remediation/runs/${runId}/artifacts`)).json()).items as { name: string; content: string }[];
  return artifacts.map((artifact) => artifact.content).join('\n');
};

async function pendingRun(): Promise<number> {
  const script = 'cat secret; echo planted > planted; ls -la . | head -5';
  const playbook = await createPlaybook(platform, {
    playbook_key: `hijack-${Math.random().toString(36).slice(2)}`,
    executor_type: 'shell',
    approval_required: true,
    retry_limit: 0,
    plan: { command: '/bin/sh', args: ['-c', script] },
  });
  const run = await (await platform.api('/api/trust/remediation/runs', { method: 'POST', json: { playbook_id: playbook.id, vm_instance_id: await createInstance(platform) } })).json();
  return run.id as number;
}

async function approveAndWait(runId: number) {
  const current = await (await platform.api(`/api/trust/remediation/runs/${runId}`)).json();
  const decided = await platform.api(`/api/trust/remediation/runs/${runId}/approval`, { method: 'POST', as: approver(), json: { decision: 'approve', version: current.version } });
  expect(decided.status).toBe(200);
  return waitForRun<{ status: string }>(platform, runId, (run) => ['succeeded', 'failed', 'cancelled'].includes(run.status));
}

const hostUntouched = () => {
  expect(statSync(host).uid).toBe(0);
  expect(statSync(path.join(host, 'secret')).uid).toBe(0);
  expect(readdirSync(host)).toEqual(['secret']);
};

describe("a path planted at an attempt's directory", () => {
  it('a symlink at attempt-1 is not followed: its target is neither chowned nor bound into the sandbox', async () => {
    const runId = await pendingRun();
    await mkdir(path.join(workdir, `run-${runId}`), { recursive: true });
    await symlink(host, path.join(workdir, `run-${runId}`, 'attempt-1'));
    await approveAndWait(runId);
    hostUntouched();
    expect(await logOf(runId)).not.toContain('host-secret-value');
  });

  it('a symlink at run-N is not followed either', async () => {
    const runId = await pendingRun();
    await symlink(host, path.join(workdir, `run-${runId}`));
    await approveAndWait(runId);
    hostUntouched();
    expect(lstatSync(path.join(host, 'attempt-1'), { throwIfNoEntry: false })).toBeUndefined();
    expect(await logOf(runId)).not.toContain('host-secret-value');
  });

  it('a symlink inside a kept attempt directory is handed over itself, never followed to its target', async () => {
    const runId = await pendingRun();
    await mkdir(path.join(workdir, `run-${runId}`, 'attempt-1'), { recursive: true });
    await symlink(host, path.join(workdir, `run-${runId}`, 'attempt-1', 'evil'));
    await approveAndWait(runId);
    hostUntouched();
  });

  it("a dead worker's leftover attempt directory (the sandbox user's) is removed, not reused", async () => {
    const runId = await pendingRun();
    const leftover = path.join(workdir, `run-${runId}`, 'attempt-1');
    await mkdir(leftover, { recursive: true });
    await writeFile(path.join(leftover, 'secret'), 'leftover-of-another-attempt\n');
    await symlink(host, path.join(leftover, 'evil'));
    await chown(leftover, 65534, 65534);
    await approveAndWait(runId);
    hostUntouched();
    expect(await logOf(runId)).not.toContain('leftover-of-another-attempt');
  });

  it('a work directory others may write to is refused: the attempt fails executor-unavailable and runs nothing', async () => {
    await chmod(workdir, 0o777);
    try {
      const runId = await pendingRun();
      const run = await approveAndWait(runId);
      expect(run).toMatchObject({ status: 'failed', failure_reason: 'executor-unavailable' });
      expect(await logOf(runId)).not.toContain('planted');
    } finally {
      await chmod(workdir, 0o755);
    }
  });

  it('a worker whose REMEDIATION_WORKDIR others may write to refuses to start, naming it', async () => {
    const open = path.join(base, 'open');
    await mkdir(path.join(open, 'remediation'), { recursive: true });
    await chmod(open, 0o777);
    const refusal = await probeSandbox(testSandbox, path.join(open, 'remediation')).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SandboxUnavailableError);
    expect((refusal as Error).message).toContain(`REMEDIATION_WORKDIR ${path.join(open, 'remediation')}`);
    expect((refusal as Error).message).toContain(`${open} is writable by group or others`);
  });
});
