// The built-in attestation verifier: a pure verdict from reported measurements against the server's reference
// values, plus the freshness check on the evidence's observation time. Nonce replay needs storage: sql/ does it.
import type { AttestationReport } from './schemas/trust.ts';
import type { AttestationStatus } from './trust-states.ts';

export interface Evidence {
  measurements: Record<string, string>;
  nonce: string;
  observed_at: Date;
}

export type FreshnessCheck = { ok: true } | { ok: false; reason: string };

/** Evidence older than `maxAgeSeconds`, or from further in the future than `skewSeconds`, is refused. */
export function checkFreshness(observedAt: Date, now: Date, maxAgeSeconds: number, skewSeconds = 30): FreshnessCheck {
  const age = (now.getTime() - observedAt.getTime()) / 1000;
  if (age > maxAgeSeconds) return { ok: false, reason: `evidence observed ${Math.round(age)}s ago exceeds the ${maxAgeSeconds}s nonce window` };
  if (age < -skewSeconds) return { ok: false, reason: 'evidence is observed in the future' };
  return { ok: true };
}

export interface Verdict {
  status: AttestationStatus;
  reason: string;
  mismatched: string[];
  missing: string[];
}

const rank: Record<AttestationStatus, number> = { untrusted: 0, unknown: 1, trusted: 2 };

/** The worse of two statuses: a reporter's `untrusted` or `unknown` is never upgraded by our own check. */
export function worst(a: AttestationStatus, b: AttestationStatus): AttestationStatus {
  return rank[a] <= rank[b] ? a : b;
}

/**
 * Compare measurements with references (case-insensitive hex). No references registered → `unknown`
 * (we cannot decide); any mismatch or missing register → `untrusted`; otherwise `trusted`.
 */
export function verifyMeasurements(reported: Record<string, string>, references: Record<string, string> | undefined): Verdict {
  if (references === undefined || Object.keys(references).length === 0) {
    return { status: 'unknown', reason: 'no reference measurements registered for the server', mismatched: [], missing: [] };
  }
  const mismatched: string[] = [];
  const missing: string[] = [];
  for (const [register, expected] of Object.entries(references)) {
    const actual = reported[register];
    if (actual === undefined) missing.push(register);
    else if (actual.toLowerCase() !== expected.toLowerCase()) mismatched.push(register);
  }
  if (mismatched.length === 0 && missing.length === 0) {
    return { status: 'trusted', reason: 'measurements match the reference values', mismatched, missing };
  }
  const parts = [mismatched.length ? `mismatched: ${mismatched.join(', ')}` : '', missing.length ? `missing: ${missing.join(', ')}` : ''];
  return { status: 'untrusted', reason: parts.filter(Boolean).join('; '), mismatched, missing };
}

/** Canonical JSON (sorted keys) so the same evidence always hashes to the same digest. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The provenance recorded with an attestation outcome: the same record whether it is applied alone or in a batch. */
export function outcomeProvenance(report: AttestationReport, verdict: Verdict, digest: string, observedAt: Date): Record<string, unknown> {
  return {
    verifier: report.provenance.verifier,
    evidence_digest: digest,
    ...(report.provenance.report_reference === undefined ? {} : { report_reference: report.provenance.report_reference }),
    reason: report.provenance.reason ?? verdict.reason,
    reported_status: report.status,
    builtin_verdict: verdict.status,
    ...(verdict.mismatched.length ? { mismatched: verdict.mismatched } : {}),
    ...(verdict.missing.length ? { missing: verdict.missing } : {}),
    observed_at: observedAt.toISOString(),
  };
}
