// The evaluations view end to end: "why is this server blocked, since when, what would unblock it" from the API
// and from `mcpctl evaluations get` alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { newServer } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['trust-transition', 'scheduler-refresh', 'score-recompute', 'evaluation-refresh'], env: { EVALUATION_REFRESH_JITTER_MS: '100' } });
});
afterAll(() => platform.close());

const evaluationOf = async (serverId: number) =>
  waitFor(async () => (await platform.db.sql<{ id: number }[]>`SELECT id FROM evaluation_certifications WHERE server_id = ${serverId}`)[0], (row) => row !== undefined, { what: 'evaluation row' });

/** A quarantined server whose latest launch decision was vetoed. */
async function blockedServer() {
  const { serverId, vm } = await newServer(platform, 'eval');
  await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'quarantined', reason: 'suspicious egress' } });
  const { id } = (await evaluationOf(serverId))!;
  await platform.api(`/api/servers/${serverId}/placement/evaluate`, { method: 'POST' });
  return { serverId, vm, id };
}

describe('evaluations', () => {
  it('explains a blocked server: since when, by which check, what would unblock it, with lineage, schedule, decision and intelligence', async () => {
    const { serverId, vm, id } = await blockedServer();
    await waitFor(async () => (await platform.db.sql`SELECT 1 FROM evaluation_refresh_schedules WHERE vm_instance_id = ${vm} AND state = 'remediating'`).length, (n) => n === 1, { what: 'remediating schedule' });
    const view = await (await platform.api(`/api/evaluations/${id}`)).json();
    expect(view).toMatchObject({
      id,
      server_id: serverId,
      vm_instance_id: vm,
      lifecycle_state: 'quarantined',
      lifecycle_badge: { label: 'quarantined', tone: 'danger' },
      blocked: true,
      refresh_state: 'remediating',
      next_refresh_at: null,
      lineage: { remediation_attempts: 0, fallback_launched_at: null },
      block: { blocked: true, veto_check: 'trust-lifecycle', veto_class: 'structural', reason: 'the instance is quarantined until remediation restores it' },
      latest_decision: { allow: false, gate: 'quarantined' },
      intelligence: { score: 30 },
    });
    expect(view.block.since).toBe(view.latest_decision.created_at);
    expect(view.block.lifecycle_since).not.toBeNull();
    expect(view.block.unblock).toEqual([expect.objectContaining({ check: 'trust-lifecycle', overridable: false, unblock: expect.stringContaining('only remediation lifts a quarantine') })]);
    expect(view.latest_decision.candidates[0].checks).toHaveLength(5);
    expect(view.schedules).toEqual([expect.objectContaining({ vm_instance_id: vm, state: 'remediating' })]);
    expect((await platform.api(`/api/evaluations/${id}`, { as: { owner: 'globex' } })).status).toBe(404);
  });

  it('lists with filters and cursor pagination, owner-scoped', async () => {
    const blocked = await blockedServer();
    const { serverId: clearId } = await newServer(platform, 'eval');
    await platform.api(`/api/trust/registry/${(await platform.db.sql<{ id: number }[]>`SELECT id::int FROM runtime_vm_instances WHERE server_id = ${clearId}`)[0]!.id}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'retired' } });
    const clear = (await evaluationOf(clearId))!;
    await platform.api(`/api/servers/${clearId}/placement/evaluate`, { method: 'POST' });
    const ids = async (query: string) => ((await (await platform.api(`/api/evaluations?${query}`)).json()).items as { id: number }[]).map((e) => e.id);
    expect(await ids('blocked=true')).toContain(blocked.id);
    expect(await ids('blocked=true')).not.toContain(clear.id);
    expect(await ids('blocked=false')).toContain(clear.id);
    expect(await ids('lifecycle_state=quarantined')).toContain(blocked.id);
    expect(await ids('lifecycle_state=retired')).toEqual(expect.arrayContaining([clear.id]));
    expect(await ids(`server_id=${clearId}`)).toEqual([clear.id]);
    const first = await (await platform.api('/api/evaluations?limit=1')).json();
    expect(first.items).toHaveLength(1);
    const second = await (await platform.api(`/api/evaluations?limit=1&cursor=${first.next_cursor}`)).json();
    expect(second.items[0].id).toBeGreaterThan(first.items[0].id);
    expect((await (await platform.api('/api/evaluations', { as: { owner: 'globex' } })).json()).items).toEqual([]);
  });

  it('mcpctl evaluations get answers why, since when and what would unblock it; list prints a table and --json', async () => {
    const { serverId, id } = await blockedServer();
    const shown = await mcpctl(platform, ['evaluations', 'get', String(id)]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toMatch(/blocked\s+yes, since \S+ by trust-lifecycle \(structural\)/);
    expect(shown.stdout).toMatch(/reason\s+the instance is quarantined until remediation restores it/);
    expect(shown.stdout).toMatch(/lifecycle\s+quarantined \(danger\) since \S+/);
    expect(shown.stdout).toContain('to unblock:\n- trust-lifecycle (structural): only remediation lifts a quarantine');
    expect(shown.stdout).toMatch(/trust-lifecycle\s+veto\s+structural/);
    expect(shown.stdout).toMatch(/intelligence penalties:\nCAUSE\s+POINTS/);
    const listed = await mcpctl(platform, ['evaluations', 'list', '--server-id', String(serverId)]);
    expect(listed.stdout).toMatch(/^ID\s+SERVER_ID\s+SERVER_NAME\s+LIFECYCLE_STATE\s+ATTESTATION_STATUS\s+BLOCKED/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+${serverId}\\s+\\S+\\s+quarantined\\s+unknown\\s+true`));
    const json = JSON.parse((await mcpctl(platform, ['evaluations', 'list', '--blocked', 'true', '--json'])).stdout);
    expect(json.items.map((e: { id: number }) => e.id)).toContain(id);
    const foreign = await mcpctl(platform, ['evaluations', 'get', String(id)], { as: { owner: 'globex' } });
    expect(foreign.exitCode).toBe(1);
    expect(foreign.stderr).toMatch(/^not-found: evaluation \d+ does not exist/);
  });
});
