// GET /api/console/lifecycle: the seed's lifecycle_console scenario field by field, filters, keyset cursors,
// tenancy, and a constant number of statements per page whatever its size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactFingerprint } from '../../core/console-entries.ts';
import { readConsolePage } from '../../sql/console-page.ts';
import { createSql } from '../../sql/db.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { seedInstance, seedPlaybook, seedRun, seedWorkspace } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => platform?.close());

describe('lifecycle_console', () => {
  it('answers the workspace with its revision, run analytics, artifacts, trust, scores and marketplace readiness', async () => {
    const sql = platform.db.sql;
    const workspace = await seedWorkspace(sql, { key: 'workspace-alpha' });
    const { serverId, instanceId } = await seedInstance(sql);
    await sql`UPDATE runtime_vm_trust_registry SET attestation_status = 'trusted', lifecycle_state = 'restored' WHERE vm_instance_id = ${instanceId}`;
    await sql`INSERT INTO capability_intelligence_scores (owner_id, server_id, capability, score, notes) VALUES ('acme', ${serverId}, 'runtime', 87.5, '["stable"]')`;
    await sql`
      INSERT INTO build_artifact_runs (owner_id, server_id, manifest_digest, manifest_tag, registry_image, status, completed_at, duration_seconds, metadata)
      VALUES ('acme', ${serverId}, 'sha256:artifact', 'v1', 'registry.example/mcp:v1', 'ready', '2025-12-08T10:00:00Z', 95, '{"track_name":"stable","track_tier":"tier-1"}')`;
    const playbookId = await seedPlaybook(sql);
    const created = await platform.api('/api/trust/remediation/runs', {
      method: 'POST',
      json: { playbook_id: playbookId, vm_instance_id: instanceId, metadata: { workspace_key: 'workspace-alpha', gate_context: { lane: 'prod', stage: 'production' } } },
    });
    expect(created.status).toBe(201);
    const runId = (await created.json()).id as number;
    // The run's execution history, as a worker would have left it.
    await sql`
      UPDATE runtime_vm_remediation_runs SET status = 'succeeded', attempt = 2, approval_state = 'approved', approved_by = 'bob', approval_note = 'manual approval',
        started_at = '2025-12-08T09:52:00Z', completed_at = '2025-12-08T09:55:02Z' WHERE id = ${runId}`;
    await sql`
      INSERT INTO runtime_vm_remediation_attempts (run_id, attempt, status, idempotency_key, started_at, finished_at, failure_reason)
      VALUES (${runId}, 1, 'failed', 'k1', '2025-12-08T09:52:00Z', '2025-12-08T09:53:00Z', 'exit-nonzero'),
             (${runId}, 2, 'succeeded', 'k2', '2025-12-08T09:53:30Z', '2025-12-08T09:55:00Z', NULL)`;

    // The promotion that staged the run, with its persisted posture verdict.
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
    expect(entry.active_revision).toMatchObject({ id: workspace.revisionId, schema_status: 'passed', policy_status: 'passed', promotion_status: 'pending' });
    expect(entry.active_revision.gate_snapshots).toEqual([expect.objectContaining({ snapshot_type: 'schema', gate_context: { lane: 'prod' }, notes: ['schema ok'] })]);
    expect(entry.promotion_runs).toEqual([
      { id: target!.id, promotion_id: promotion!.id, run_id: runId, vm_instance_id: instanceId, status: 'succeeded', playbook: 'verify-automation', automation_payload: { lane: 'prod' }, promotion_gate_context: { lane: 'prod', stage: 'production' }, metadata: { notes: ['preflight'] } },
    ]);
    expect(entry.promotion_postures).toEqual([
      expect.objectContaining({ promotion_id: promotion!.id, status: 'running', allowed: false, veto_reasons: ['trust-drift'], signals: { trust: 0.4 }, remediation_hooks: ['policy_hook:remediation_gate'], track_name: 'stable', track_tier: 'tier-1', stage: 'production' }),
    ]);
    const [run] = entry.recent_runs;
    expect(run.run).toMatchObject({ id: runId, status: 'succeeded', playbook: 'verify-automation', vm_instance_id: instanceId });
    expect(run.trust).toMatchObject({ attestation_status: 'trusted', lifecycle_state: 'restored', server_id: serverId });
    expect(run.intelligence).toEqual([expect.objectContaining({ capability: 'runtime', score: 87.5, notes: ['stable'] })]);
    expect(run.marketplace).toEqual({ server_id: serverId, status: 'ready', manifest_digest: 'sha256:artifact', manifest_tag: 'v1', registry_image: 'registry.example/mcp:v1', build_duration_seconds: 95, last_completed_at: '2025-12-08T10:00:00.000Z' });
    expect(run.duration_seconds).toBe(182);
    expect(run.duration_ms).toBe(182_000);
    expect(run.execution_window).toEqual({ started_at: '2025-12-08T09:52:00.000Z', completed_at: '2025-12-08T09:55:02.000Z' });
    expect([run.retry_attempt, run.retry_limit, run.retry_count]).toEqual([2, 5, 2]);
    expect(run.retry_ledger).toEqual([
      { attempt: 1, status: 'failed', observed_at: '2025-12-08T09:53:00.000Z', failure_reason: 'exit-nonzero' },
      { attempt: 2, status: 'succeeded', observed_at: '2025-12-08T09:55:00.000Z', failure_reason: null },
    ]);
    expect(run.override_reason).toBe('manual approval');
    expect(run.manual_override).toEqual({ kind: 'approval', reason: 'manual approval', actor_id: 'bob', actor_email: null });
    const artifact = { manifest_digest: 'sha256:artifact', manifest_tag: 'v1', registry_image: 'registry.example/mcp:v1', track_name: 'stable', track_tier: 'tier-1' };
    expect(run.artifacts).toEqual([expect.objectContaining({ ...artifact, lane: 'prod', stage: 'production', status: 'ready', duration_seconds: 95, completed_at: '2025-12-08T10:00:00.000Z' })]);
    expect(run.artifact_fingerprints).toEqual([{ manifest_digest: 'sha256:artifact', fingerprint: artifactFingerprint(artifact) }]);
    expect(run.artifact_fingerprints[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(run.promotion_verdict).toEqual({ verdict_id: promotion!.id, promotion_run_id: target!.id, allowed: false, stage: 'production', track_name: 'stable', track_tier: 'tier-1', veto_reasons: ['trust-drift'] });
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
    await seedWorkspace(platform.db.sql, { key: 'mine', owner: 'tenant-a' });
    await seedWorkspace(platform.db.sql, { key: 'theirs', owner: 'tenant-b' });
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
