// attestation-ingest processor: read the reports of the job's accept group from the inbox, check freshness and
// nonces, let the built-in verifier judge the measurements, and persist the verdicts — in one transaction that also
// records each outcome on its inbox row (workers/attestation-batch.ts), so a retry never half-applies and a
// repeated job returns the recorded outcomes. A row the batch leaves out goes the one-by-one way below through
// applyTrustEvent; a rejection is recorded on its row (GET shows it) and does not fail the rest of the group.
import type { z } from 'zod';
import { checkFreshness, outcomeProvenance, verifyMeasurements, worst } from '../core/attestation-verifier.ts';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { attestationReport } from '../core/schemas/trust.ts';
import type { attestationIngestJob } from '../queues/attestation-ingest.ts';
import { lockInboxEntry, markInboxProcessed, markInboxRejected, processedDigests } from '../sql/attestation-inbox.ts';
import { claimNonceAndLock } from '../sql/attestation-nonces.ts';
import { transact, type Db } from '../sql/transact.ts';
import { persistVmAttestationOutcome, writerNotifyMode } from '../sql/trust-registry.ts';
import { ingestBatch, type IngestOutcome as Outcome } from './attestation-batch.ts';

/** What a job answers: how many of its reports are applied (by it, another job's batch, or earlier) and how many were rejected. */
export interface IngestSummary {
  applied: number;
  rejected: number;
}

export function createAttestationIngestHandler(deps: { db: Db; config: Config }) {
  const { config } = deps;
  return async (data: z.infer<typeof attestationIngestJob>): Promise<IngestSummary> => {
    const outcomes = await ingestBatch(deps, data.reports);
    // Rows another job's batch took (it catches waiting rows up) are recorded already: one read skips them all.
    const done = await processedDigests(deps.db.sql, data.reports.filter((report) => !outcomes.has(report.report_id)).map((report) => report.report_id));
    let applied = 0;
    let rejected = 0;
    const missing: string[] = [];
    for (const { report_id: digest, owner_id: ownerId } of data.reports) {
      if (outcomes.has(digest) || done.get(digest) === false) {
        applied += 1;
        continue;
      }
      if (done.get(digest) === true) {
        rejected += 1;
        continue;
      }
      // Not applied by a batch: held by another transaction (waited for here), or needing the one-by-one path
      // (a rejection, an unknown instance, a nonce held by earlier evidence).
      try {
        await ingest(deps.db, config, ownerId, digest);
        applied += 1;
      } catch (error) {
        if (error instanceof AppError && error.code === 'invalid-job-data') missing.push(digest);
        else if (error instanceof AppError && error.code === 'attestation-rejected') {
          await markInboxRejected(deps.db.sql, digest, `${error.code}: ${error.detail}`);
          rejected += 1;
        } else throw error;
      }
    }
    // The rest of the group is applied; a digest with no inbox row is a job that cannot be right (not retried).
    if (missing.length > 0) throw new AppError('invalid-job-data', `no inbox entry for evidence ${missing.join(', ')}`);
    return { applied, rejected };
  };
}

async function ingest(db: Db, config: Config, ownerId: string, digest: string): Promise<Outcome> {
  // One unit of work: the stream event is appended at commit and the doorbells (SSE hubs over Redis; with
  // TRUST_NOTIFY=after-commit, the external NOTIFY) ring after it, coalesced across concurrent jobs.
  return transact(db, async (uow) => {
    const entry = await lockInboxEntry(uow.tx, ownerId, digest);
    if (entry === undefined) throw new AppError('invalid-job-data', `no inbox entry for evidence ${digest}`);
    if (entry.processed_at !== null) {
      if (entry.failed_reason !== null) throw new AppError('attestation-rejected', entry.failed_reason.replace(/^attestation-rejected: /, ''));
      return entry.outcome as Outcome;
    }
    const parsed = attestationReport.safeParse(entry.report);
    if (!parsed.success) throw new AppError('invalid-job-data', 'attestation report does not match the schema');
    const report = parsed.data;
    const observedAt = new Date(report.evidence.observed_at);
    const { claim, references, registry } = await claimNonceAndLock(uow.tx, {
      ownerId,
      vmInstanceId: entry.vm_instance_id,
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
      ownerId,
      vmInstanceId: entry.vm_instance_id,
      status,
      observedAt,
      actor: entry.actor,
      provenance: outcomeProvenance(report, verdict, digest, observedAt),
      freshnessSeconds: config.ATTESTATION_FRESHNESS_SECONDS,
      ...(registry ? { locked: registry } : {}),
      notify: writerNotifyMode(config.TRUST_NOTIFY),
      // A nonce claimed just now cannot belong to recorded evidence: skip the lookup.
      dedupeEvidence: claim === 'same-evidence',
    });
    const outcome = { duplicate: result.duplicate, history_id: result.history.id, status, lifecycle_state: result.registry.lifecycle_state };
    await markInboxProcessed(uow.tx, digest, outcome);
    return outcome;
  });
}
