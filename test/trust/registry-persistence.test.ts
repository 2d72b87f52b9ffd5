import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../core/errors.ts';
import type { TrustEvent } from '../../core/lifecycle.ts';
import { attestationStatus, lifecycleState, remediationState } from '../../core/trust-states.ts';
import { applyTrustEvent, getTrustRegistry } from '../../sql/trust-registry.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedInstance } from './fixtures.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const attest = (status: 'trusted' | 'untrusted' | 'unknown'): TrustEvent => ({ kind: 'attestation', status, observedAt: new Date() });
const apply = (vmInstanceId: number, event: TrustEvent, extra: { expectedVersion?: number; ownerId?: string; digest?: string } = {}) =>
  db.transact((uow) =>
    applyTrustEvent(uow, {
      ownerId: extra.ownerId ?? 'acme',
      vmInstanceId,
      event,
      actor: 'tester',
      ...(extra.expectedVersion === undefined ? {} : { expectedVersion: extra.expectedVersion }),
      provenance: { verifier: 'test', ...(extra.digest ? { evidence_digest: extra.digest } : {}) },
    }),
  );
const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: unknown) => (isAppError(error) ? error.code : String(error)));

describe('applyTrustEvent', () => {
  it('advances the lifecycle, appends history with provenance, updates lineage, its reaction job and its stream event', async () => {
    const { vmInstanceId, serverId } = await seedInstance(db.sql);
    const { registry, history } = await apply(vmInstanceId, attest('untrusted'), { expectedVersion: 1, digest: 'd1' });
    expect(registry).toMatchObject({ lifecycle_state: 'quarantined', attestation_status: 'untrusted', version: 2 });
    expect(history).toMatchObject({ registry_version: 2, previous_lifecycle_state: 'pending', trigger: 'attestation', event: 'attestation:untrusted', verifier: 'test', evidence_digest: 'd1' });
    const [lineage] = await db.sql`SELECT last_attestation_status, vm_instance_id FROM evaluation_certifications WHERE server_id = ${serverId}`;
    expect(lineage).toEqual({ last_attestation_status: 'untrusted', vm_instance_id: vmInstanceId });
    const outbox = await db.sql`SELECT queue, job_options->>'jobId' AS job_id FROM outbox WHERE payload->>'history_id' = ${String(history.id)} ORDER BY id`;
    expect(outbox).toEqual([{ queue: 'trust-transition', job_id: `trust-transition-${history.id}` }]);
    const events = await db.sql`SELECT topic, event FROM stream_events WHERE dedupe_key = ${`trust-history-${history.id}`}`;
    expect(events).toEqual([{ topic: 'trust-registry', event: 'trust.transition' }]);
  });

  it('refuses a stale version with the current one, an illegal event with 422, another owner with not-found', async () => {
    const { vmInstanceId } = await seedInstance(db.sql);
    await expect(apply(vmInstanceId, attest('trusted'), { expectedVersion: 5 })).rejects.toMatchObject({ code: 'version-conflict', extras: { current_version: 1 } });
    await expect(apply(vmInstanceId, { kind: 'operator', target: 'trusted' })).rejects.toMatchObject({ code: 'illegal-transition', status: 422 });
    await expect(apply(vmInstanceId, attest('trusted'), { ownerId: 'other' })).rejects.toMatchObject({ code: 'vm-instance-not-found' });
    expect((await getTrustRegistry(db.sql, 'acme', vmInstanceId)).version).toBe(1);
  });

  it('writes no reaction job for a repeat outcome whose writer rings the doorbell itself', async () => {
    const { vmInstanceId } = await seedInstance(db.sql);
    const trusted = () => db.transact((uow) => applyTrustEvent(uow, { ownerId: 'acme', vmInstanceId, event: attest('trusted'), actor: 't', notify: 'writer' }));
    const first = await trusted();
    const repeat = await trusted();
    const jobs = await db.sql`SELECT payload->>'history_id' AS id, payload->>'recompute' AS recompute FROM outbox WHERE queue = 'trust-transition' AND payload->>'vm_instance_id' = ${String(vmInstanceId)}`;
    expect(jobs).toEqual([{ id: String(first.history.id), recompute: 'true' }]);
    expect(repeat.history.reacted_at).not.toBeNull();
  });

  it('counts remediation attempts and mirrors them into the evaluation lineage', async () => {
    const { vmInstanceId, serverId } = await seedInstance(db.sql);
    await apply(vmInstanceId, { kind: 'operator', target: 'quarantined' });
    const running = await apply(vmInstanceId, { kind: 'remediation', state: 'automation-running', runId: 42 });
    expect(running.registry).toMatchObject({ lifecycle_state: 'remediating', remediation_state: 'automation-running', remediation_attempts: 1, provenance: { run_id: 42 } });
    const done = await apply(vmInstanceId, { kind: 'remediation', state: 'automation-complete' });
    expect(done.registry).toMatchObject({ lifecycle_state: 'restored', remediation_state: 'automation-complete', remediation_attempts: 1 });
    const [lineage] = await db.sql`SELECT remediation_attempts FROM evaluation_certifications WHERE server_id = ${serverId}`;
    expect(lineage?.remediation_attempts).toBe(1);
  });

  it('marks an instance stale once its deadline passed, and fresh again after decided evidence', async () => {
    const { vmInstanceId } = await seedInstance(db.sql);
    await db.sql`UPDATE runtime_vm_trust_registry SET freshness_deadline = now() - interval '1 minute' WHERE vm_instance_id = ${vmInstanceId}`;
    expect((await getTrustRegistry(db.sql, 'acme', vmInstanceId)).stale).toBe(true);
    await apply(vmInstanceId, attest('unknown'));
    expect((await getTrustRegistry(db.sql, 'acme', vmInstanceId)).stale).toBe(true);
    await apply(vmInstanceId, attest('trusted'));
    expect((await getTrustRegistry(db.sql, 'acme', vmInstanceId)).stale).toBe(false);
  });

  it('records the same evidence once', async () => {
    const { vmInstanceId } = await seedInstance(db.sql);
    const first = await apply(vmInstanceId, attest('trusted'), { digest: 'same' });
    const again = await apply(vmInstanceId, attest('trusted'), { digest: 'same' });
    expect(again).toMatchObject({ duplicate: true, history: { id: first.history.id } });
    expect((await getTrustRegistry(db.sql, 'acme', vmInstanceId)).version).toBe(2);
  });

  it('lets exactly one of 50 concurrent transitions per version win, losing no update', async () => {
    const { vmInstanceId } = await seedInstance(db.sql);
    await apply(vmInstanceId, attest('trusted'));
    const results = await Promise.all(
      Array.from({ length: 50 }, () => codeOf(apply(vmInstanceId, { kind: 'operator', target: 'suspect' }, { expectedVersion: 2 }))),
    );
    expect(results.filter((code) => code === 'ok')).toHaveLength(1);
    expect(results.filter((code) => code === 'version-conflict')).toHaveLength(49);
    // Without a version every writer serialises on the row lock: all 50 land, one version each.
    const unguarded = await Promise.all(Array.from({ length: 50 }, () => codeOf(apply(vmInstanceId, attest('unknown')))));
    expect(unguarded.every((code) => code === 'ok')).toBe(true);
    const [counts] = await db.sql`
      SELECT r.version, (SELECT count(*)::int FROM runtime_vm_trust_history h WHERE h.vm_instance_id = r.vm_instance_id) AS history
      FROM runtime_vm_trust_registry r WHERE vm_instance_id = ${vmInstanceId}`;
    expect(counts).toEqual({ version: 53, history: 53 });
  });

  it('keeps history rows equal to version bumps for any event sequence', async () => {
    const event = fc.oneof(
      fc.constantFrom(...attestationStatus.options).map(attest),
      fc.constantFrom(...lifecycleState.options).map((target): TrustEvent => ({ kind: 'operator', target })),
      fc.constantFrom(...remediationState.options).map((state): TrustEvent => ({ kind: 'remediation', state })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 25 }), async (events) => {
        const { vmInstanceId } = await seedInstance(db.sql);
        let accepted = 0;
        for (const item of events) if ((await codeOf(apply(vmInstanceId, item))) === 'ok') accepted += 1;
        const registry = await getTrustRegistry(db.sql, 'acme', vmInstanceId);
        const versions = await db.sql<{ registry_version: number }[]>`
          SELECT registry_version FROM runtime_vm_trust_history WHERE vm_instance_id = ${vmInstanceId} ORDER BY id`;
        expect(registry.version).toBe(1 + accepted);
        expect(versions.map((row) => row.registry_version)).toEqual(Array.from({ length: registry.version }, (_, i) => i + 1));
        expect(lifecycleState.options).toContain(registry.lifecycle_state);
      }),
      { numRuns: 20 },
    );
  });
});
