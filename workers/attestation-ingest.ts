// attestation-ingest processor: check freshness and nonce, let the built-in verifier judge the measurements,
// and persist the verdict through applyTrustEvent — all in one transaction, so a retry never half-applies.
import type { z } from 'zod';
import { checkFreshness, verifyMeasurements, worst } from '../core/attestation-verifier.ts';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { attestationReport } from '../core/schemas/trust.ts';
import type { attestationIngestJob } from '../queues/attestation-ingest.ts';
import { claimNonceAndLock } from '../sql/attestation-nonces.ts';
import { transact, type Db } from '../sql/transact.ts';
import { persistVmAttestationOutcome, writerNotifyMode } from '../sql/trust-registry.ts';

export function createAttestationIngestHandler(deps: { db: Db; config: Config }) {
  const { config } = deps;
  return async (data: z.infer<typeof attestationIngestJob>) => {
    const parsed = attestationReport.safeParse(data.report);
    if (!parsed.success) throw new AppError('invalid-job-data', 'attestation report does not match the schema');
    const report = parsed.data;
    const digest = data.report_id;
    const observedAt = new Date(report.evidence.observed_at);
    // One unit of work: the stream event is appended at commit and the doorbells (SSE hubs over Redis; with
    // TRUST_NOTIFY=after-commit, the external NOTIFY) ring after it, coalesced across concurrent jobs.
    const outcome = await transact(deps.db, async (uow) => {
      const { claim, references, registry } = await claimNonceAndLock(uow.tx, {
        ownerId: data.owner_id,
        vmInstanceId: data.vm_instance_id,
        nonce: report.evidence.nonce,
        evidenceDigest: digest,
      });
      if (claim === 'replayed') throw new AppError('attestation-rejected', 'nonce already used by other evidence (replay)');
      // A resubmission (same evidence, same nonce) is recorded once by applyTrustEvent, even after its window closed.
      if (claim === 'new') {
        const fresh = checkFreshness(observedAt, new Date(), config.ATTESTATION_NONCE_MAX_AGE_SECONDS);
        if (!fresh.ok) throw new AppError('attestation-rejected', fresh.reason);
      }
      const verdict = verifyMeasurements(report.evidence.measurements, references);
      const status = worst(report.status, verdict.status);
      const result = await persistVmAttestationOutcome(uow, {
        ownerId: data.owner_id,
        vmInstanceId: data.vm_instance_id,
        status,
        observedAt,
        actor: data.actor,
        provenance: {
          verifier: report.provenance.verifier,
          evidence_digest: digest,
          ...(report.provenance.report_reference === undefined ? {} : { report_reference: report.provenance.report_reference }),
          reason: report.provenance.reason ?? verdict.reason,
          reported_status: report.status,
          builtin_verdict: verdict.status,
          ...(verdict.mismatched.length ? { mismatched: verdict.mismatched } : {}),
          ...(verdict.missing.length ? { missing: verdict.missing } : {}),
          observed_at: observedAt.toISOString(),
        },
        freshnessSeconds: config.ATTESTATION_FRESHNESS_SECONDS,
        ...(registry ? { locked: registry } : {}),
        notify: writerNotifyMode(config.TRUST_NOTIFY),
        // A nonce claimed just now cannot belong to recorded evidence: skip the lookup.
        dedupeEvidence: claim === 'same-evidence',
      });
      return { duplicate: result.duplicate, history: result.history, status, lifecycle_state: result.registry.lifecycle_state };
    });
    return { duplicate: outcome.duplicate, history_id: outcome.history.id, status: outcome.status, lifecycle_state: outcome.lifecycle_state };
  };
}
