// A real worker process running sandboxed playbooks: what a playbook prints cannot grow it, and what a playbook
// starts cannot outlive it.
import { readFileSync } from 'node:fs';
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from '../remediation/support.ts';
import { startDispatchWorker } from '../remediation/worker-process.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { CUT_MARK } from '../../executors/remediation/output-lines.ts';
import { marker, processesWith } from './context.ts';

/**
 * Documented bound (docs/remediation.md, Output): while a playbook prints 700 MB without a newline, the worker's peak
 * RSS grows by less than this (measured: about 40 MB over a 170 MB start, most of it the 1 MiB of log rows it writes).
 */
const RSS_GROWTH_BOUND_MB = 100;

let platform: TestPlatform;
let worker: ResultPromise;
const kib = (field: string) => Number(/(\d+) kB/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8').split('\n').find((line) => line.startsWith(field)) ?? '')?.[1]);

beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  ({ child: worker } = await startDispatchWorker(platform, { REMEDIATION_WORKDIR: `/tmp/remediation-sandbox-work-${process.pid}` }));
});
afterAll(async () => {
  worker.kill('SIGKILL');
  await platform.close();
});

const terminal = (run: { status: string }) => ['succeeded', 'failed', 'cancelled'].includes(run.status);

describe('a worker running sandboxed playbooks', () => {
  it('stays up and small while a playbook prints 700 MB without a newline; the log artifact is capped and says so', async () => {
    // 700 MB in one line, then 4 MB in lines of 4000 bytes: the first is cut, the second runs into the output cap.
    const script = "head -c 700000000 /dev/zero | tr '\\0' a; echo; head -c 4000000 /dev/zero | tr '\\0' b | fold -w 4000";
    const before = kib('VmHWM:') / 1024;
    const playbook = await createPlaybook(platform, shellPlaybook('flood', script, { timeout_seconds: 120 }));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    const done = await waitForRun<{ status: string }>(platform, run.id, terminal, 60_000);
    expect(done.status).toBe('succeeded');
    expect(worker.exitCode).toBeNull();
    expect(kib('VmHWM:') / 1024 - before).toBeLessThan(RSS_GROWTH_BOUND_MB);
    const artifacts = (await (await platform.api(`/api/trust/remediation/runs/${run.id}/artifacts`)).json()).items;
    const log = artifacts.find((artifact: { name: string }) => artifact.name === 'attempt-1.log');
    expect(log.size_bytes).toBeLessThan(platform.config.REMEDIATION_OUTPUT_CAP_BYTES + 64 * 1024);
    expect(log.content).toContain(`${'a'.repeat(1000)}${CUT_MARK}\n`);
    expect(log.content).toContain(`output cap of ${platform.config.REMEDIATION_OUTPUT_CAP_BYTES} bytes reached`);
    expect(log.content).toMatch(/output was capped at \d+ bytes; \d+ more bytes were read and not recorded/);
  }, 90_000);

  it('takes the whole process tree of a run with it when SIGKILLed, a setsid grandchild included', async () => {
    const tag = marker();
    const playbook = await createPlaybook(platform, shellPlaybook('orphan', `setsid sleep ${tag} & echo started; wait`));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    await waitForRun<{ status: string; log_sequence: number }>(platform, run.id, (r) => r.status === 'running' && r.log_sequence >= 2);
    expect(processesWith(`sleep\0${tag}`)).toHaveLength(1);
    worker.kill('SIGKILL');
    await worker;
    // The kernel tears the sandbox down asynchronously after the worker's death; bounded, never a fixed sleep.
    const left = await waitFor(async () => processesWith(`sleep\0${tag}`), (pids) => pids.length === 0, { timeoutMs: 5_000, what: 'no process of the run' });
    expect(left).toEqual([]);
  }, 45_000);
});
