// harness/run_harness.sh end to end, on a platform it starts for itself: a scenario passes and its manifest's
// hashes verify (and stop verifying once a recorded file is touched); a planted bug makes its checker fail and the
// run exit 1; a missing scenario directory stops it at once with exit 2. (The whole short matrix runs in npm test.)
import { appendFile, chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, verifyManifest } from '../../harness/manifest.ts';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'mcp-harness-'));
  await chmod(base, 0o711); // the harness's Postgres runs as its own user when we are root
});
afterAll(() => rm(base, { recursive: true, force: true }));

const harness = (args: string[], env: Record<string, string> = {}) =>
  execa('bash', ['harness/run_harness.sh', ...args], { reject: false, env: { ...process.env, ...env }, timeout: 240_000 });
const readManifest = async (dir: string) => manifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));

describe('run_harness.sh', () => {
  it('passes a scenario on a platform of its own and writes a manifest whose hashes verify', { timeout: 300_000 }, async () => {
    const out = path.join(base, 'pass');
    const result = await harness(['--scenario', 'remediation-concurrency', '--out', out]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const written = await readManifest(out);
    expect(written).toMatchObject({ verdict: 'pass', exit_code: 0, planted_bug: null, validation_tags: ['validation:remediation-concurrency'] });
    expect(written.database_url).not.toMatch(/:[^:@/]+@/);
    expect(written.scenarios.find((entry) => entry.name === 'remediation-concurrency')).toMatchObject({ ran: true, verdict: 'pass', checks: [{ checker: 'one-active-run', verdict: 'pass' }] });
    expect(written.scenarios.filter((entry) => !entry.ran).every((entry) => /^[0-9a-f]{64}$/.test(entry.sha256))).toBe(true);
    expect(await verifyManifest(path.join(out, 'manifest.json'))).toEqual([]);

    await appendFile(path.join(out, 'remediation-concurrency', 'history.jsonl'), '\n');
    expect(await verifyManifest(path.join(out, 'manifest.json'))).toEqual([expect.stringContaining('remediation-concurrency/history.jsonl: sha256')]);
  });

  it('fails the checker a bug was planted for, and exits 1', { timeout: 300_000 }, async () => {
    const out = path.join(base, 'planted');
    const result = await harness(['--scenario', 'remediation-concurrency', '--plant-bug', 'one-active-run', '--out', out]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    const written = await readManifest(out);
    expect(written.scenarios.find((entry) => entry.ran)).toMatchObject({ verdict: 'fail', planted_bug: 'one-active-run', checks: [{ checker: 'one-active-run', verdict: 'fail' }] });
  });

  it('stops before starting anything when the scenario directory is missing', async () => {
    const result = await harness(['--out', path.join(base, 'missing')], { REM_FABRIC_SCENARIO_DIR: path.join(base, 'no-such-dir') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`scenario directory ${path.join(base, 'no-such-dir')} does not exist (REM_FABRIC_SCENARIO_DIR)`);
  });
});
