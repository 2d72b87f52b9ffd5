// Planning a batch of attestation outcomes: apply each report, in order, to its instance's registry state as the
// previous report of the batch left it, exactly as one-by-one processing in that order would. A report the batch
// cannot decide on its own (nonce held by earlier evidence, unknown instance, illegal transition) is left out and
// goes the one-by-one way, which records its rejection.
import { outcomeProvenance, verifyMeasurements, worst } from './attestation-verifier.ts';
import { applyEvent, postureChanged, type TrustSnapshot } from './lifecycle.ts';
import type { AttestationReport } from './schemas/trust.ts';
import type { AttestationStatus } from './trust-states.ts';

export interface BatchReport {
  digest: string;
  owner_id: string;
  actor: string;
  vm_instance_id: number;
  report: AttestationReport;
}

/** The registry row fields the plan reads and advances. */
export interface RegistryState extends TrustSnapshot {
  vm_instance_id: number;
  owner_id: string;
  server_id: number;
  version: number;
  provenance: Record<string, unknown>;
}

export interface BatchLookup<R extends RegistryState> {
  /** This batch claimed the report's nonce. */
  claimed: boolean;
  references: Record<string, string> | null;
  registry: R | null;
}

export interface PlannedOutcome<R extends RegistryState> {
  report: BatchReport;
  before: R;
  after: R;
  status: AttestationStatus;
  observedAt: Date;
  provenance: Record<string, unknown>;
  outOfOrder: boolean;
  /** The posture changed: a trust-transition reaction follows. */
  react: boolean;
}

export interface BatchPlan<R extends RegistryState> {
  applied: PlannedOutcome<R>[];
  leftOut: BatchReport[];
}

export function planBatch<R extends RegistryState>(
  reports: BatchReport[],
  lookup: (digest: string) => BatchLookup<R> | undefined,
  options: { freshnessSeconds: number; now: Date },
): BatchPlan<R> {
  const states = new Map<number, R>();
  const applied: PlannedOutcome<R>[] = [];
  const leftOut: BatchReport[] = [];
  for (const item of reports) {
    const found = lookup(item.digest);
    const before = states.get(item.vm_instance_id) ?? found?.registry ?? undefined;
    if (found === undefined || !found.claimed || before === undefined || before === null) {
      leftOut.push(item);
      continue;
    }
    const { report } = item;
    const observedAt = new Date(report.evidence.observed_at);
    const verdict = verifyMeasurements(report.evidence.measurements, found.references ?? undefined);
    const status = worst(report.status, verdict.status);
    const step = applyEvent(before, { kind: 'attestation', status, observedAt }, options.freshnessSeconds);
    if (!step.ok) {
      leftOut.push(item);
      continue;
    }
    const provenance = outcomeProvenance(report, verdict, item.digest, observedAt);
    const after: R = {
      ...before,
      lifecycle_state: step.next.lifecycle_state,
      attestation_status: step.next.attestation_status,
      remediation_state: step.next.remediation_state,
      remediation_attempts: step.next.remediation_attempts,
      freshness_deadline: step.next.freshness_deadline,
      evidence_observed_at: step.next.evidence_observed_at,
      provenance: step.outOfOrder ? before.provenance : provenance,
      version: before.version + 1,
    };
    states.set(item.vm_instance_id, after);
    applied.push({ report: item, before, after, status, observedAt, provenance, outOfOrder: step.outOfOrder, react: postureChanged(before, after, options.now) });
  }
  return { applied, leftOut };
}
