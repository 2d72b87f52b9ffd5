import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { approver, createInstance } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['remediation-execute', 'sse-fanout'] });
});
afterAll(() => platform.close());

describe('mcpctl remediation', () => {
  it('creates a playbook, enqueues and approves a run, watches it to the end and fetches its log', async () => {
    const plan = JSON.stringify({ command: '/bin/sh', args: ['-c', 'echo repaired $REMEDIATION_RUN_ID'] });
    const created = await mcpctl(platform, ['remediation', 'playbooks', 'create', '--key', 'cli-pb', '--executor', 'shell', '--plan', plan, '--json']);
    expect(created.exitCode).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ playbook_key: 'cli-pb', approval_required: true });
    expect((await mcpctl(platform, ['remediation', 'playbooks', 'list'])).stdout).toMatch(/cli-pb\s+shell\s+true/);

    const vm = await createInstance(platform);
    const enqueued = await mcpctl(platform, ['remediation', 'runs', 'enqueue', '--vm-instance-id', String(vm), '--playbook-key', 'cli-pb', '--json']);
    const run = JSON.parse(enqueued.stdout);
    expect(run).toMatchObject({ status: 'pending', approval_state: 'pending' });

    const own = await mcpctl(platform, ['remediation', 'runs', 'approve', String(run.id), '--version', '1'], { as: { roles: ['approver'] } });
    expect(own.exitCode).toBe(1);
    expect(own.stderr).toMatch(/^approval-not-allowed: /);
    const approved = await mcpctl(platform, ['remediation', 'runs', 'approve', String(run.id), '--version', '1', '--json'], { as: approver() });
    expect(JSON.parse(approved.stdout)).toMatchObject({ status: 'queued', approved_by: 'bob' });

    const watched = await mcpctl(platform, ['remediation', 'watch', '--run-id', String(run.id)]);
    expect(watched.exitCode).toBe(0);
    expect(watched.stdout).toMatch(new RegExp(`run=${run.id} run.created status=pending approval=pending .*gate=blocked hooks=policy_hook:remediation_gate=active-run:${run.id}`));
    expect(watched.stdout).toMatch(new RegExp(`stdout: repaired ${run.id}`));
    expect(watched.stdout.trim().split('\n').at(-1)).toMatch(/run.succeeded status=succeeded/);

    const json = await mcpctl(platform, ['remediation', 'watch', '--run-id', String(run.id), '--json']);
    const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.map((event) => event.event).filter((name) => name !== 'log' && name !== 'current')).toEqual(['run.created', 'run.approved', 'run.running', 'run.succeeded']);

    const artifacts = await mcpctl(platform, ['remediation', 'runs', 'artifacts', String(run.id)]);
    expect(artifacts.stdout).toMatch(/log-bundle\s+attempt-1\.log/);
    const log = await mcpctl(platform, ['remediation', 'runs', 'artifacts', String(run.id), '--content', 'attempt-1.log']);
    expect(log.stdout).toContain(`stdout repaired ${run.id}`);
    const shown = await mcpctl(platform, ['remediation', 'runs', 'get', String(run.id)]);
    expect(shown.stdout).toMatch(/retry ledger:\nATTEMPT.*\n1\s+succeeded/);
  });

  it('prints code: detail and exits 1 for a stale playbook update and an unknown run', async () => {
    const plan = JSON.stringify({ command: 'true' });
    const { id } = JSON.parse((await mcpctl(platform, ['remediation', 'playbooks', 'create', '--key', 'cli-stale', '--executor', 'shell', '--plan', plan, '--json'])).stdout);
    const stale = await mcpctl(platform, ['remediation', 'playbooks', 'update', String(id), '--version', '9', '--retry-limit', '1']);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toMatch(/^version-conflict: /);
    const missing = await mcpctl(platform, ['remediation', 'runs', 'get', '999999']);
    expect(missing.stderr).toMatch(/^run-not-found: /);
    expect((await mcpctl(platform, ['remediation', 'playbooks', 'delete', String(id), '--version', '1'])).stdout).toContain(`deleted playbook ${id}`);
  });
});
