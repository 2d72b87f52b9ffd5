import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, type TrustSnapshot } from '../../core/lifecycle.ts';
import type { AttestationStatus } from '../../core/trust-states.ts';
import { applyTrustEvent, getTrustRegistry } from '../../sql/trust-registry.ts';
import { listTrustHistory } from '../../sql/trust-history.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedInstance } from './fixtures.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const at = (time: string) => new Date(`2030-01-01T${time}Z`);
const attest = (vmInstanceId: number, status: AttestationStatus, observedAt: Date, digest: string) =>
  db.transact((uow) =>
    applyTrustEvent(uow, { ownerId: 'acme', vmInstanceId, event: { kind: 'attestation', status, observedAt }, actor: 'verifier', provenance: { verifier: 'test', evidence_digest: digest } }),
  );

describe('evidence ordered by observation time', () => {
  it('records trusted evidence observed before an applied untrusted one without moving the lifecycle, status or deadline', async () => {
    const { vmInstanceId } = await seedInstance(db.sql);
    await attest(vmInstanceId, 'trusted', at('07:00:00'), 'e1');
    const newer = await attest(vmInstanceId, 'untrusted', at('07:28:00'), 'e2');
    const older = await attest(vmInstanceId, 'trusted', at('07:27:00'), 'e3');
    expect(older.registry).toMatchObject({
      lifecycle_state: 'suspect',
      attestation_status: 'untrusted',
      freshness_deadline: newer.registry.freshness_deadline,
      evidence_observed_at: at('07:28:00'),
      provenance: { evidence_digest: 'e2' },
      version: 4,
    });
    expect(older.history).toMatchObject({ out_of_order: true, observed_at: at('07:27:00'), lifecycle_state: 'suspect', evidence_digest: 'e3', provenance: { evidence_digest: 'e3' } });
    const history = await listTrustHistory(db.sql, 'acme', vmInstanceId, 10);
    expect(history.map((row) => [row.registry_version, row.event, row.out_of_order])).toEqual([
      [4, 'attestation:trusted', true],
      [3, 'attestation:untrusted', false],
      [2, 'attestation:trusted', false],
      [1, null, false],
    ]);
  });

  it('persists what the pure state machine computes for any shuffled delivery, one history row per outcome', async () => {
    const evidence = fc.uniqueArray(fc.record({ status: fc.constantFrom<AttestationStatus>('trusted', 'untrusted', 'unknown'), minute: fc.integer({ min: 0, max: 59 }) }), {
      selector: (item) => item.minute,
      minLength: 1,
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(evidence, async (delivery) => {
        const { vmInstanceId } = await seedInstance(db.sql);
        let expected: TrustSnapshot = await getTrustRegistry(db.sql, 'acme', vmInstanceId);
        const flags: boolean[] = [];
        for (const [i, item] of delivery.entries()) {
          const observedAt = new Date(Date.UTC(2030, 0, 1, 7, item.minute));
          const step = applyEvent(expected, { kind: 'attestation', status: item.status, observedAt }, 3600);
          if (!step.ok) throw new Error('attestations are legal before retirement');
          expected = step.next;
          flags.push(step.outOfOrder);
          await attest(vmInstanceId, item.status, observedAt, `shuffle-${vmInstanceId}-${i}`);
        }
        const registry = await getTrustRegistry(db.sql, 'acme', vmInstanceId);
        expect(registry).toMatchObject({
          lifecycle_state: expected.lifecycle_state,
          attestation_status: expected.attestation_status,
          freshness_deadline: expected.freshness_deadline,
          evidence_observed_at: expected.evidence_observed_at,
          version: delivery.length + 1,
        });
        const history = await listTrustHistory(db.sql, 'acme', vmInstanceId, 10);
        expect(history.reverse().slice(1).map((row) => row.out_of_order)).toEqual(flags);
      }),
      { numRuns: 15 },
    );
  });
});
