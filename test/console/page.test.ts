// GET /api/console/lifecycle: the seed's lifecycle_console scenario field by field (made through the public API
// where a route exists), the approver's or canceller's email, filters, keyset cursors, tenancy, and a constant
// number of statements per page whatever its size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactFingerprint } from '../../core/console-entries.ts';
import { readConsolePage } from '../../sql/console-page.ts';
import { createSql } from '../../sql/db.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { apiCancel, apiInstance, apiPlaybook, apiRun, apiTrust, apiWorkspace } from './api-seed.ts';
import { seedInstance, seedPlaybook, seedRun, seedWorkspace } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['attestation-ingest', 'trust-transition', 'scheduler-refresh', 'score-recompute', 'console-project'] });
});
afterAll(async () => platform?.close());

describe('lifecycle_console', () => {
  it('answers the workspace with its revision, run analytics, artifacts, trust, scores and marketplace readiness', async () => {
    const sql = platform.db.sql;
    const playbookId = await apiPlaybook(platform, 'acme', { key: 'verify-automation', approval: true });
    const workspace = await apiWorkspace(platform, { key: 'workspace-alpha', playbookId });
    const { serverId, instanceId } = await apiInstance(platform);
    const score = await apiTrust(platform, 'acme', serverId, instanceId);
    const build = { manifest_digest: `sha256:${'ab'.repeat(32)}`, manifest_tag: 'v1', registry_image: 'registry.example/mcp:v1', status: 'succeeded', completed_at: '2025-12-08T10:00:00Z', duration_seconds: 95, metadata: { track_name: 'stable', track_tier: 'tier-1' } };
    expect((await platform.api(`/api/servers/${serverId}/build-artifacts`, { method: 'POST', json: build })).status).toBe(201);
    const requested = await apiRun(platform, { playbookId, instanceId, workspaceKey: 'workspace-alpha', metadata: { gate_context: { lane: 'prod', stage: 'production' } } });
    const approver = { owner: 'acme', sub: 'bob', roles: ['approver' as const], email: 'bob@example.com' };
    const approval = { decision: 'approve', version: requested.version, note: 'manual approval' };
    expect((await platform.api(`/api/trust/remediation/runs/${requested.id}/approval`, { method: 'POST', as: approver, json: approval })).status).toBe(200);
    const runId = requested.id;
    // The run's execution history, as the executor would have left it (no route writes attempts; the sandboxed
    // executor does, and these fixed times make the durations exact).
    await sql`
      UPDATE runtime_vm_remediation_runs SET status = 'succeeded', attempt = 2, started_at = '2025-12-08T09:52:00Z', completed_at = '2025-12-08T09:55:02Z' WHERE id = ${runId}`;
    await sql`
      INSERT INTO runtime_vm_remediation_attempts (run_id, attempt, status, idempotency_key, started_at, finished_at, failure_reason)
      VALUES (${runId}, 1, 'failed', 'k1', '2025-12-08T09:52:00Z', '2025-12-08T09:53:00Z', 'exit-nonzero'),
             (${runId}, 2, 'succeeded', 'k2', '2025-12-08T09:53:30Z', '2025-12-08T09:55:00Z', NULL)`;

    // The promotion that staged the run, with its persisted posture verdict: the promotion route stages runs only
    // after the policy and sandbox-simulation gates (workspace-promote worker), and this verdict is the seed's, so SQL.
    const verdict = { allowed: false, veto_reasons: ['trust-drift'], signals: { trust: 0.4 }, remediation_hooks: ['policy_hook:remediation_gate'] };
    const [promotion] = await sql<{ id: number }[]>`
      INSERT INTO runtime_vm_remediation_promotions (owner_id, workspace_id, revision_id, playbook_id, requested_by, status, posture_verdict)
      VALUES ('acme', ${workspace.id}, ${workspace.revisionId}, ${playbookId}, 'alice', 'running', ${sql.json(verdict)}) RETURNING id`;
    const [target] = await sql<{ id: number }[]>`
      INSERT INTO runtime_vm_remediation_promotion_runs (promotion_id, owner_id, workspace_id, runtime_vm_instance_id, ordinal, phase, remediation_run_id, playbook_id,
        promotion_gate_context, automation_payload, posture_verdict, notes)
      VALUES (${promotion!.id}, 'acme', ${workspace.id}, ${instanceId}, 1, 'succeeded', ${runId}, ${playbookId}, '{"lane":"prod","stage":"production"}', '{"lane":"prod"}',
        ${sql.json({ ...verdict, stage: 'production', track_name: 'stable', track_tier: 'tier-1' })}, '["preflight"]') RETURNING id`;

    const response = await platform.api('/api/console/lifecycle?workspace_key=workspace-alpha');
    expect(response.status).toBe(200);
    const page = await response.json();
    expect(page.next_cursor).toBeNull();
    const [entry] = page.workspaces;
    expect(entry.workspace).toMatchObject({ id: workspace.id, workspace_key: 'workspace-alpha', lifecycle_state: 'draft', active_revision_id: workspace.revisionId });
    expect(entry.active_revision).toMatchObject({ id: workspace.revisionId, schema_status: 'passed', policy_status: 'pending', promotion_status: 'pending' });
    expect(entry.active_revision.gate_snapshots).toEqual([expect.objectContaining({ snapshot_type: 'schema', gate_context: expect.objectContaining({ executor_type: 'shell' }), notes: ['schema ok'], recorded_by: 'alice' })]);
    expect(entry.promotion_runs).toEqual([
      { id: target!.id, promotion_id: promotion!.id, run_id: runId, vm_instance_id: instanceId, status: 'succeeded', playbook: 'verify-automation', automation_payload: { lane: 'prod' }, promotion_gate_context: { lane: 'prod', stage: 'production' }, metadata: { notes: ['preflight'] } },
    ]);
    expect(entry.promotion_postures).toEqual([
      expect.objectContaining({ promotion_id: promotion!.id, status: 'running', allowed: false, veto_reasons: ['trust-drift'], signals: { trust: 0.4 }, remediation_hooks: ['policy_hook:remediation_gate'], track_name: 'stable', track_tier: 'tier-1', stage: 'production' }),
    ]);
    const [run] = entry.recent_runs;
    expect(run.run).toMatchObject({ id: runId, status: 'succeeded', playbook: 'verify-automation', vm_instance_id: instanceId });
    expect(run.trust).toMatchObject({ attestation_status: 'trusted', lifecycle_state: 'trusted', server_id: serverId });
    expect(run.intelligence).toEqual([expect.objectContaining({ capability: 'runtime', score })]);
    expect(run.marketplace).toEqual({ server_id: serverId, status: 'succeeded', manifest_digest: build.manifest_digest, manifest_tag: 'v1', registry_image: 'registry.example/mcp:v1', build_duration_seconds: 95, last_completed_at: '2025-12-08T10:00:00.000Z' });
    expect(run.duration_seconds).toBe(182);
    expect(run.duration_ms).toBe(182_000);
    expect(run.execution_window).toEqual({ started_at: '2025-12-08T09:52:00.000Z', completed_at: '2025-12-08T09:55:02.000Z' });
    expect([run.retry_attempt, run.retry_limit, run.retry_count]).toEqual([2, 5, 2]);
    expect(run.retry_ledger).toEqual([
      { attempt: 1, status: 'failed', observed_at: '2025-12-08T09:53:00.000Z', failure_reason: 'exit-nonzero' },
      { attempt: 2, status: 'succeeded', observed_at: '2025-12-08T09:55:00.000Z', failure_reason: null },
    ]);
    expect(run.override_reason).toBe('manual approval');
    expect(run.manual_override).toEqual({ kind: 'approval', reason: 'manual approval', actor_id: 'bob', actor_email: 'bob@example.com' });
    const artifact = { manifest_digest: build.manifest_digest, manifest_tag: 'v1', registry_image: 'registry.example/mcp:v1', track_name: 'stable', track_tier: 'tier-1' };
    expect(run.artifacts).toEqual([expect.objectContaining({ ...artifact, lane: 'prod', stage: 'production', status: 'succeeded', duration_seconds: 95, completed_at: '2025-12-08T10:00:00.000Z' })]);
    expect(run.artifact_fingerprints).toEqual([{ manifest_digest: build.manifest_digest, fingerprint: artifactFingerprint(artifact) }]);
    expect(run.artifact_fingerprints[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(run.promotion_verdict).toEqual({ verdict_id: promotion!.id, promotion_run_id: target!.id, allowed: false, stage: 'production', track_name: 'stable', track_tier: 'tier-1', veto_reasons: ['trust-drift'] });
  });
});

describe('manual_override.actor_email', () => {
  it('is the email of whoever cancelled the run when their token carried one, else null', async () => {
    const playbookId = await apiPlaybook(platform, 'emails');
    await apiWorkspace(platform, { owner: 'emails', key: 'cancelled', playbookId });
    const runs = [];
    for (const email of ['dave@example.com', undefined]) {
      const { instanceId } = await apiInstance(platform, 'emails');
      const { id } = await apiRun(platform, { owner: 'emails', playbookId, instanceId, workspaceKey: 'cancelled' });
      expect((await apiCancel(platform, id, { owner: 'emails', sub: 'dave', ...(email ? { email } : {}) })).status).toBe(200);
      runs.push({ id, email: email ?? null });
    }
    const page = await (await platform.api('/api/console/lifecycle?workspace_key=cancelled', { as: { owner: 'emails' } })).json();
    const overrides = Object.fromEntries(page.workspaces[0].recent_runs.map((item: { run: { id: number }; manual_override: unknown }) => [item.run.id, item.manual_override]));
    for (const { id, email } of runs) expect(overrides[id]).toEqual({ kind: 'cancellation', reason: 'operator stop', actor_id: 'dave', actor_email: email });
  });
});

describe('filters, cursors and tenancy', () => {
  it('pages by keyset cursor and filters by lifecycle_state and workspace_key', async () => {
    for (const key of ['f-1', 'f-2', 'f-3']) await seedWorkspace(platform.db.sql, { key, owner: 'filters', state: key === 'f-2' ? 'abandoned' : 'draft' });
    const as = { owner: 'filters', roles: ['viewer' as const] };
    const first = await (await platform.api('/api/console/lifecycle?limit=2', { as })).json();
    expect(first.workspaces.map((entry: { workspace: { workspace_key: string } }) => entry.workspace.workspace_key)).toEqual(['f-1', 'f-2']);
    const second = await (await platform.api(`/api/console/lifecycle?limit=2&cursor=${first.next_cursor}`, { as })).json();
    expect(second.workspaces.map((entry: { workspace: { workspace_key: string } }) => entry.workspace.workspace_key)).toEqual(['f-3']);
    expect(second.next_cursor).toBeNull();
    const archived = await (await platform.api('/api/console/lifecycle?lifecycle_state=abandoned', { as })).json();
    expect(archived.workspaces.map((entry: { workspace: { workspace_key: string } }) => entry.workspace.workspace_key)).toEqual(['f-2']);
  });

  it('shows a tenant only its own workspaces and answers 404 for another owner_id', async () => {
    await apiWorkspace(platform, { key: 'mine', owner: 'tenant-a', playbookId: await apiPlaybook(platform, 'tenant-a') });
    await apiWorkspace(platform, { key: 'theirs', owner: 'tenant-b', playbookId: await apiPlaybook(platform, 'tenant-b') });
    const own = await (await platform.api('/api/console/lifecycle', { as: { owner: 'tenant-a' } })).json();
    expect(own.workspaces.map((entry: { workspace: { owner_id: string } }) => entry.workspace.owner_id)).toEqual(['tenant-a']);
    const foreign = await platform.api('/api/console/lifecycle?owner_id=tenant-b', { as: { owner: 'tenant-a' } });
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).code).toBe('not-found');
    // Another tenant's workspace key is as absent as one that never existed.
    for (const key of ['theirs', 'nowhere']) expect((await platform.api(`/api/console/lifecycle?workspace_key=${key}`, { as: { owner: 'tenant-a' } })).status).toBe(404);
  });

  it('answers 400 for a bad run_limit or a forged cursor', async () => {
    for (const query of ['run_limit=101', 'cursor=forged', 'limit=0', 'lifecycle_state=active', 'workspace_key=Not%20A%20Key']) {
      const response = await platform.api(`/api/console/lifecycle?${query}`);
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe('validation-failed');
    }
  });
});

describe('statements per page', () => {
  it('is the same for page sizes 1, 10 and 100', async () => {
    const sql = platform.db.sql;
    const playbookId = await seedPlaybook(sql, 'counted');
    const { instanceId } = await seedInstance(sql, 'counted');
    for (let index = 0; index < 100; index++) {
      const key = `c-${String(index).padStart(3, '0')}`;
      await seedWorkspace(sql, { owner: 'counted', key });
      for (let run = 0; run < 2; run++) await seedRun(sql, { owner: 'counted', instanceId, playbookId, workspaceKey: key });
    }
    let statements = 0;
    const counted = createSql(platform.db.url, { max: 1, debug: () => void (statements += 1) });
    try {
      // Connecting costs statements of its own (type lookups): open the connection before counting.
      await counted`SELECT 1`;
      const counts: number[] = [];
      for (const limit of [1, 10, 100]) {
        statements = 0;
        const page = await readConsolePage(counted, { ownerId: 'counted', afterId: 0, limit, runLimit: 10 });
        expect(page.entries).toHaveLength(limit);
        expect(page.entries.every((entry) => entry.recent_runs.length === 2)).toBe(true);
        counts.push(statements);
      }
      expect(counts).toEqual([9, 9, 9]);
    } finally {
      await counted.end();
    }
  });
});
