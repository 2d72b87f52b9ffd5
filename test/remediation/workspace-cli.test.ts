import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { approver, createInstance, createPlaybook } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['workspace-simulate', 'workspace-promote', 'remediation-execute'], env: { REMEDIATION_WORKDIR: `/tmp/mcp-workspace-cli-${process.pid}` } });
});
afterAll(() => platform.close());

const json = async (args: string[], as?: { sub?: string; owner?: string; roles?: ('operator' | 'approver')[] }) => {
  const result = await mcpctl(platform, [...args, '--json'], as ? { as } : {});
  if (result.exitCode !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

describe('mcpctl remediation workspaces', () => {
  it('creates, revises, records gates, simulates, diffs and promotes through the real binary', { timeout: 300_000 }, async () => {
    const [a, b] = [await createInstance(platform, { quarantined: false }), await createInstance(platform, { quarantined: false })];
    const simulate = { command: '/bin/sh', args: ['-c', 'echo "+ banner: v2"; exit 2'] };
    const playbook = await createPlaybook(platform, { playbook_key: 'banner', executor_type: 'shell', approval_required: false, retry_limit: 0, plan: { command: '/bin/true' } });
    const created = await json(['remediation', 'workspaces', 'create', '--key', 'banner-fix', '--display-name', 'Banner fix', '--playbook-id', String(playbook.id), '--targets', `${a},${b}`]);
    const id = created.workspace.id;
    expect(created).toMatchObject({ workspace: { lifecycle_state: 'draft' }, workspace_version: 1 });
    const stale = await mcpctl(platform, ['remediation', 'workspaces', 'revise', String(id), '--version', '9', '--plan', '{}']);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toMatch(/^version-conflict: /);
    const revised = await json(['remediation', 'workspaces', 'revise', String(id), '--version', '1', '--plan', JSON.stringify({ command: '/bin/true', simulate }), '--labels', 'banner']);
    const rid = String(revised.revision.id);
    const versions = (v: { workspace_version: number; revision: { version: number } }) => ['--revision', rid, '--workspace-version', String(v.workspace_version), '--revision-version', String(v.revision.version)];
    const schema = await json(['remediation', 'workspaces', 'schema', String(id), ...versions(revised)]);
    expect(schema.revision.schema_status).toBe('passed');
    const evaluated = await json(['remediation', 'workspaces', 'policy', String(id), ...versions(schema)]);
    expect(evaluated).toMatchObject({ revision: { policy_status: 'failed', policy_veto_reasons: [{ rule: 'human-approval', severity: 'soft' }] }, actions: { can_override: true } });
    const policy = await json(['remediation', 'workspaces', 'policy', String(id), ...versions(evaluated), '--override-reason', 'auto-approved banner change'], approver());
    expect(policy).toMatchObject({ revision: { policy_status: 'overridden', policy_overridden_by: 'bob' }, actions: { can_simulate: true } });
    const simulated = await json(['remediation', 'workspaces', 'simulate', String(id), ...versions(policy), '--wait', '--timeout', '120']);
    expect(simulated).toMatchObject({ sandbox_execution: { simulator_kind: 'shell-plan-mode' }, settled_revision: { simulation_status: 'passed', state: 'ready' } });
    const diff = await mcpctl(platform, ['remediation', 'workspaces', 'diff', String(id)]);
    expect(diff.stdout).toMatch(/sandbox\s+\/bin\/sh\s+changed/);
    expect(diff.stdout).toContain('+ banner: v2');
    const listed = await json(['remediation', 'workspaces', 'list']);
    expect(listed.items.map((item: { workspace: { id: number } }) => item.workspace.id)).toContain(id);
    const envelope = await json(['remediation', 'workspaces', 'get', String(id)]);
    const ready = { workspace_version: Number(envelope.workspace.version), revision: envelope.revisions.at(-1).revision };
    const promoted = await mcpctl(platform, ['remediation', 'workspaces', 'promote', String(id), ...versions(ready), '--max-parallel', '2', '--track', 'canary', '--stage', 'staging', '--wait', '--timeout', '120']);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const lines = promoted.stdout.split('\n');
    expect(lines[0]).toMatch(/^Automation status — promotion \d+: succeeded \(track canary\/tier-1, stage staging, playbook v2\) .*succeeded=2/);
    expect(lines[1]).toMatch(/^INSTANCE\s+LANE\s+PHASE\s+RUN\s+TRUST\s+AUTOMATION\s+NOTES/);
    for (const vm of [a, b]) expect(promoted.stdout).toMatch(new RegExp(`${vm}\\s+canary/staging\\s+succeeded\\s+\\d+\\s+pending/unknown\\s+banner@v2 \\(shell\\)`));
    const after = await json(['remediation', 'workspaces', 'get', String(id)]);
    expect(after).toMatchObject({ workspace: { lifecycle_state: 'promoted' }, promotions: [{ status: 'succeeded', counts: { succeeded: 2 } }] });
  });
});
