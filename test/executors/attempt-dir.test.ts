import { chownSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptDirIn, clearAttemptDirIn, earlyAttemptDirIn } from '../../executors/remediation/attempt-dir.ts';
import { testSandbox } from './context.ts';

const runDir = async () => mkdtemp(path.join(tmpdir(), 'run-'));

describe('an early start before the claim', () => {
  it('makes a missing attempt directory, and takes the worker own one as it is', async () => {
    const run = await runDir();
    const dir = earlyAttemptDirIn(run, 1);
    expect(dir).toBe(path.join(run, 'attempt-1'));
    writeFileSync(path.join(dir!, 'kept'), 'x');
    expect(earlyAttemptDirIn(run, 1)).toBe(dir);
    expect(readFileSync(path.join(dir!, 'kept'), 'utf8')).toBe('x');
  });

  // A directory the sandbox user owns may be a live attempt's (its job delivered again): only the claimant clears it.
  it('leaves a directory the sandbox user owns, and a symlink, untouched and starts nothing', async () => {
    const run = await runDir();
    const live = path.join(run, 'attempt-1');
    mkdirSync(live);
    writeFileSync(path.join(live, 'inventory.json'), '{}');
    chownSync(live, testSandbox.uid, testSandbox.gid);
    expect(earlyAttemptDirIn(run, 1)).toBeUndefined();
    expect(readFileSync(path.join(live, 'inventory.json'), 'utf8')).toBe('{}');
    symlinkSync('/etc', path.join(run, 'attempt-2'));
    expect(earlyAttemptDirIn(run, 2)).toBeUndefined();
    expect(existsSync('/etc/passwd')).toBe(true);
    // The claimant replaces both.
    expect(await attemptDirIn(run, 1)).toBe(live);
    expect(existsSync(path.join(live, 'inventory.json'))).toBe(false);
  });

  it('lets the claimant clear what a discarded start wrote', async () => {
    const run = await runDir();
    const dir = earlyAttemptDirIn(run, 1)!;
    writeFileSync(path.join(dir, 'playbook.yml'), 'stale');
    clearAttemptDirIn(run, 1);
    expect(existsSync(dir)).toBe(false);
    expect(await attemptDirIn(run, 1)).toBe(dir);
  });
});
