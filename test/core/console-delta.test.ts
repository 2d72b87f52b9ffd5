// The console's deltas as a property: for any two entries of a workspace, applying diff(before, after) to
// before gives after, changes before removals; equal entries give no delta.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, diffEntry } from '../../core/console-delta.ts';
import { canonicalJson } from '../../core/console-entries.ts';
import type { ConsoleEntry } from '../../core/schemas/console.ts';

const status = fc.constantFrom('pending', 'running', 'succeeded', 'failed');
const run = (id: number) =>
  fc.record({ status, retry: fc.nat(5), trust: fc.option(fc.constantFrom('quarantined', 'restored')), digest: fc.constantFrom('sha256:a', 'sha256:b') }).map(({ status: runStatus, retry, trust, digest }) => ({
    run: { id, status: runStatus, approval_state: 'approved', playbook: 'p', vm_instance_id: 1, version: retry + 1, created_at: '2025-01-01T00:00:00.000Z' },
    trust: trust === null ? null : { vm_instance_id: 1, server_id: 1, attestation_status: 'trusted', lifecycle_state: trust, remediation_state: null, version: 1, updated_at: '2025-01-01T00:00:00.000Z' },
    intelligence: [],
    marketplace: null,
    duration_seconds: retry,
    duration_ms: retry * 1000,
    execution_window: { started_at: null, completed_at: retry > 2 ? '2025-01-01T00:00:00.000Z' : null },
    retry_attempt: retry,
    retry_limit: 5,
    retry_count: retry,
    retry_ledger: Array.from({ length: retry }, (_, index) => ({ attempt: index + 1, status: 'failed', observed_at: '2025-01-01T00:00:00.000Z', failure_reason: null })),
    override_reason: null,
    manual_override: null,
    artifacts: [],
    artifact_fingerprints: [{ manifest_digest: digest, fingerprint: digest.repeat(2) }],
    promotion_verdict: null,
  }));
const posture = (id: number) => fc.record({ allowed: fc.option(fc.boolean()), stage: fc.constantFrom('staging', 'production') }).map(({ allowed, stage }) => ({
  promotion_id: id, status: 'pending', allowed, veto_reasons: [], signals: {}, remediation_hooks: [], track_name: 'stable', track_tier: 'tier-1', stage, updated_at: '2025-01-01T00:00:00.000Z',
}));
const ids = fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 5 });
const entry: fc.Arbitrary<ConsoleEntry> = fc
  .record({ runIds: ids, postureIds: ids, state: fc.constantFrom('draft', 'promoted'), revision: fc.option(fc.constantFrom('pending', 'passed')) })
  .chain(({ runIds, postureIds, state, revision }) =>
    fc.record({ runs: fc.tuple(...runIds.map(run)), postures: fc.tuple(...postureIds.map(posture)) }).map(({ runs, postures }) => ({
      workspace: { id: 7, owner_id: 'acme', workspace_key: 'w', display_name: 'W', lifecycle_state: state, lineage_tags: [], active_revision_id: revision === null ? null : 3, version: 1, updated_at: '2025-01-01T00:00:00.000Z' },
      active_revision: revision === null ? null : { id: 3, revision_number: 1, schema_status: revision, policy_status: 'pending', simulation_status: 'pending', promotion_status: 'pending', lineage_labels: [], version: 1, updated_at: '2025-01-01T00:00:00.000Z', gate_snapshots: [] },
      promotion_runs: [],
      promotion_postures: [...postures].sort((a, b) => a.promotion_id - b.promotion_id),
      recent_runs: [...runs].sort((a, b) => b.run.id - a.run.id),
    })),
  );

describe('console deltas', () => {
  it('apply(before, diff(before, after)) equals after, for any pair of entries', () => {
    fc.assert(
      fc.property(fc.option(entry, { nil: undefined }), entry, (before, after) => {
        const state = new Map(before === undefined ? [] : [[7, before]]);
        const delta = diffEntry(before, after, { from: 1, to: 2 });
        if (delta === null) expect(canonicalJson(before)).toBe(canonicalJson(after));
        else applyDelta(state, delta);
        expect(canonicalJson(state.get(7))).toBe(canonicalJson(after));
      }),
    );
  });

  it('a removed workspace leaves no entry, and equal entries give no delta', () => {
    fc.assert(
      fc.property(entry, (before) => {
        expect(diffEntry(before, structuredClone(before), { from: 1, to: 2 })).toBeNull();
        const state = new Map([[7, before]]);
        applyDelta(state, diffEntry(before, undefined, { from: 1, to: 2 })!);
        expect(state.has(7)).toBe(false);
      }),
    );
  });
});
