import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBatch, type BatchLookup, type BatchReport, type RegistryState } from '../../core/attestation-batch.ts';
import { applyEvent } from '../../core/lifecycle.ts';
import { attestationStatus, type AttestationStatus } from '../../core/trust-states.ts';

const registry = (vm: number, overrides: Partial<RegistryState> = {}): RegistryState => ({
  vm_instance_id: vm, owner_id: 'acme', server_id: vm * 10, version: 1, provenance: {}, lifecycle_state: 'pending', attestation_status: 'unknown',
  remediation_state: null, remediation_attempts: 0, freshness_deadline: null, evidence_observed_at: null, ...overrides,
});
const report = (digest: string, vm: number, status: AttestationStatus = 'trusted', observedAt = new Date('2030-01-01T00:00:00Z')): BatchReport => ({
  digest, owner_id: 'acme', actor: 'verifier', vm_instance_id: vm,
  report: { vm_instance_id: vm, status, evidence: { measurements: { pcr0: 'aa' }, nonce: `n-${digest}`, observed_at: observedAt.toISOString() }, provenance: { verifier: 'v' } },
});
const options = { freshnessSeconds: 3600, now: new Date('2030-01-01T00:00:01Z') };
const lookupOf = (entries: Record<string, Partial<BatchLookup<RegistryState>>>) => (digest: string) =>
  entries[digest] === undefined ? undefined : { claimed: true, references: { pcr0: 'aa' }, registry: null, ...entries[digest] };

describe('planBatch', () => {
  it.each([
    ['a nonce held by earlier evidence', { claimed: false, registry: registry(1) }],
    ['an unknown instance or another owner\'s', { registry: null }],
    ['an illegal transition (retired)', { registry: registry(1, { lifecycle_state: 'retired' }) }],
  ])('leaves out %s', (_name, entry) => {
    const plan = planBatch([report('d1', 1)], lookupOf({ d1: entry }), options);
    expect(plan.applied).toEqual([]);
    expect(plan.leftOut.map((r) => r.digest)).toEqual(['d1']);
  });

  it('chains reports of one instance: each starts where the previous left it', () => {
    const plan = planBatch([report('d1', 1), report('d2', 1, 'untrusted', new Date('2030-01-01T00:00:00.500Z'))], lookupOf({ d1: { registry: registry(1) }, d2: { registry: registry(1) } }), options);
    expect(plan.applied.map((step) => [step.before.lifecycle_state, step.after.lifecycle_state, step.after.version])).toEqual([
      ['pending', 'trusted', 2],
      ['trusted', 'suspect', 3],
    ]);
    expect(plan.applied.map((step) => step.react)).toEqual([true, true]);
  });

  it('judges measurements against the references: a mismatch is untrusted', () => {
    const plan = planBatch([report('d1', 1)], lookupOf({ d1: { registry: registry(1), references: { pcr0: 'ff' } } }), options);
    expect(plan.applied[0]).toMatchObject({ status: 'untrusted', provenance: { builtin_verdict: 'untrusted', mismatched: ['pcr0'] } });
  });

  it('keeps the registry provenance for out-of-order evidence', () => {
    const plan = planBatch(
      [report('d1', 1, 'trusted', new Date('2030-01-01T00:00:00.500Z')), report('d2', 1, 'trusted', new Date('2030-01-01T00:00:00Z'))],
      lookupOf({ d1: { registry: registry(1) }, d2: { registry: registry(1) } }),
      options,
    );
    expect(plan.applied[1]).toMatchObject({ outOfOrder: true, after: { provenance: { evidence_digest: 'd1' }, version: 3 } });
  });

  it('ends every instance where applying its reports one by one ends it', () => {
    const arb = fc.array(fc.record({ vm: fc.integer({ min: 1, max: 3 }), status: fc.constantFrom(...attestationStatus.options), ms: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 40 });
    fc.assert(
      fc.property(arb, (items) => {
        const reports = items.map((item, index) => report(`d${index}`, item.vm, item.status, new Date(Date.parse('2030-01-01T00:00:00Z') + item.ms)));
        const lookup = (digest: string) => ({ claimed: true, references: { pcr0: 'aa' }, registry: registry(reports.find((r) => r.digest === digest)!.vm_instance_id) });
        const plan = planBatch(reports, lookup, options);
        for (const vm of [1, 2, 3]) {
          let state = registry(vm);
          for (const r of reports.filter((x) => x.vm_instance_id === vm)) {
            const step = applyEvent(state, { kind: 'attestation', status: r.report.status, observedAt: new Date(r.report.evidence.observed_at) }, 3600);
            if (step.ok) state = { ...state, ...step.next, version: state.version + 1 };
          }
          const last = plan.applied.filter((step) => step.report.vm_instance_id === vm).at(-1)?.after ?? registry(vm);
          expect({ ...last, provenance: {} }).toEqual({ ...state, provenance: {} });
        }
      }),
    );
  });
});
