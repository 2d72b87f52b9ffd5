// The operator's whole story through the real mcpctl binary only, with tokens it mints itself: a server, an
// instance, reference measurements (tenant admin), trusted evidence (verifier) → trusted, failing evidence →
// quarantined, a quarantine playbook materialises a gated run, a second user approves it, the run is watched to
// its end, its artifacts read, the registry ends restored, and trusted evidence makes the instance trusted again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, TEST_JWT_SECRET, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

let platform: TestPlatform;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  platform = await startTestPlatform({ workers: [] });
  const people = { operator: ['olivia', 'operator'], admin: ['tara', 'admin'], verifier: ['snp-verifier', 'verifier'], approver: ['alan', 'approver'] };
  for (const [who, [sub, roles]] of Object.entries(people)) {
    const minted = await mcpctl(undefined, ['token', 'mint', '--owner', 'acme', '--sub', sub!, '--roles', roles!, '--expires-in', '1h'], { env: { JWT_SECRET: TEST_JWT_SECRET } });
    expect(minted.exitCode).toBe(0);
    tokens[who] = minted.stdout.trim();
  }
});
afterAll(() => platform.close());

/** mcpctl as one of the minted principals. */
const as = (who: keyof typeof tokens, args: string[]) => mcpctl(undefined, args, { env: { MCPCTL_API_URL: platform.url, MCPCTL_TOKEN: tokens[who]! } });
const json = async (who: string, args: string[]) => {
  const result = await as(who, [...args, '--json']);
  if (result.exitCode !== 0) throw new Error(`mcpctl ${args.join(' ')} → ${result.exitCode}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};
const attest = (vm: number, pcr0: string) => json('verifier', ['trust', 'attest', String(vm), '--measurement', `pcr0=${pcr0}`, '--verifier', 'snp', '--wait', '--timeout', '30']);

describe('the operator story through mcpctl', () => {
  it('takes an instance from pending to trusted, through quarantine and an approved remediation, back to trusted', { timeout: 180_000 }, async () => {
    const server = await json('operator', ['servers', 'create', '--name', 'ledger', '--image', 'ghcr.io/acme/ledger:1']);
    const registered = await json('operator', ['vm', 'instances', 'register', String(server.id), '--domain-name', 'ledger-vm-1']);
    expect(registered.registry).toMatchObject({ lifecycle_state: 'pending' });
    const vm: number = registered.instance.id;

    const refused = await as('operator', ['trust', 'references', 'set', String(server.id), '--measurement', 'pcr0=aa11']);
    expect(refused.exitCode).toBe(1);
    expect(await json('admin', ['trust', 'references', 'set', String(server.id), '--measurement', 'pcr0=aa11'])).toMatchObject({ version: 1 });
    expect(await json('operator', ['trust', 'references', 'get', String(server.id)])).toMatchObject({ measurements: { pcr0: 'aa11' }, version: 1 });

    const trusted = await attest(vm, 'aa11');
    expect(trusted).toMatchObject({ status: 'completed', result: { status: 'trusted', lifecycle_state: 'trusted' } });
    expect(await json('operator', ['trust', 'attestations', 'get', trusted.job_id])).toMatchObject({ state: 'completed', result: { status: 'trusted' } });

    const plan = JSON.stringify({ command: 'sh', args: ['-c', 'echo resealing; echo sealed >&2'] });
    const playbook = await json('operator', ['remediation', 'playbooks', 'create', '--key', 'reseal', '--executor', 'shell', '--plan', plan, '--retry-limit', '0', '--selector', '{"on_quarantine":true}']);
    expect(playbook).toMatchObject({ approval_required: true });

    expect((await attest(vm, 'bb22')).result).toMatchObject({ status: 'untrusted', lifecycle_state: 'suspect' });
    expect((await attest(vm, 'bb22')).result).toMatchObject({ status: 'untrusted', lifecycle_state: 'quarantined' });

    const runs = await waitFor(() => json('operator', ['remediation', 'runs', 'list', '--vm-instance-id', String(vm)]), (page) => page.items.length === 1, { timeoutMs: 30_000, intervalMs: 200, what: 'a materialised run' });
    const run = runs.items[0];
    expect(run).toMatchObject({ playbook_id: playbook.id, trigger: 'quarantine', status: 'pending', approval_state: 'pending' });
    expect(await json('approver', ['remediation', 'runs', 'approve', String(run.id), '--version', String(run.version)])).toMatchObject({ approval_state: 'approved', approved_by: 'alan' });

    const watched = await as('operator', ['remediation', 'watch', '--run-id', String(run.id)]);
    expect(watched.exitCode).toBe(0);
    expect(watched.stdout.split('\n')[0]).toMatch(new RegExp(`^current run=${run.id} status=`));
    expect(watched.stdout).toContain('stdout: resealing');
    expect(watched.stdout.trim().split('\n').at(-1)).toMatch(/run\.succeeded status=succeeded/);
    const log = await as('operator', ['remediation', 'runs', 'artifacts', String(run.id), '--content', 'attempt-1.log']);
    expect(log.stdout).toContain('resealing');
    expect(log.stdout).toContain('sealed');

    const restored = await waitFor(() => json('operator', ['vm', 'instances', 'get', String(vm)]), (shown) => shown.registry.lifecycle_state === 'restored', { timeoutMs: 30_000, intervalMs: 200, what: 'restored' });
    expect(restored.instance).toMatchObject({ id: vm, domain_name: 'ledger-vm-1' });
    expect((await attest(vm, 'aa11')).result).toMatchObject({ status: 'trusted', lifecycle_state: 'trusted' });
    const listed = await as('operator', ['vm', 'instances', 'list', '--server-id', String(server.id)]);
    expect(listed.stdout).toMatch(new RegExp(`^${vm}\\s+${server.id}\\s+trusted\\s+trusted`, 'm'));
  });
});
