// attestation-ingest processor: read the report from the inbox, check freshness and nonce, let the built-in verifier
// judge the measurements, and persist the verdict — in one transaction that also records the outcome on the inbox
// row, so a retry never half-applies and a repeated job returns the recorded outcome. A job applies its row together
// with the oldest waiting ones (workers/attestation-batch.ts, ATTESTATION_BATCH_SIZE); a row the batch leaves out,
// and every row when the batch size is 1, goes the one-by-one way below through applyTrustEvent.
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { checkFreshness, outcomeProvenance, verifyMeasurements, worst } from '../core/attestation-verifier.ts';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { attestationReport } from '../core/schemas/trust.ts';
import type { attestationIngestJob } from '../queues/attestation-ingest.ts';
import { lockInboxEntry, markInboxProcessed, markInboxRejected } from '../sql/attestation-inbox.ts';
import { claimNonceAndLock } from '../sql/attestation-nonces.ts';
import type { Queues } from '../queues/queues.ts';
import { transact, type Db } from '../sql/transact.ts';
import { persistVmAttestationOutcome, writerNotifyMode } from '../sql/trust-registry.ts';
import { ingestBatch, removeAppliedJobs, type IngestOutcome as Outcome } from './attestation-batch.ts';

/** Outcomes this process applied in batches lately: a job whose row a batch here took answers without a query. */
const RECENT_LIMIT = 10_000;

export function createAttestationIngestHandler(deps: { db: Db; config: Config; queues: Queues }) {
  const { config } = deps;
  const recent = new Map<string, Outcome>();
  // Rows held by this process's batches in flight: a job whose row one holds waits for it instead of querying.
  const inflight = new Map<string, Promise<Map<string, Outcome> | undefined>>();
  const remember = (outcomes: Map<string, Outcome>) => {
    for (const [digest, outcome] of outcomes) recent.set(digest, outcome);
    for (const digest of recent.keys()) {
      if (recent.size <= RECENT_LIMIT) break;
      recent.delete(digest);
    }
  };
  return async (data: z.infer<typeof attestationIngestJob>): Promise<Outcome> => {
    const digest = data.report_id;
    const held = inflight.get(digest);
    const known = recent.get(digest) ?? (held && (await held)?.get(digest));
    if (known !== undefined) return known;
    try {
      if (config.ATTESTATION_BATCH_SIZE > 1) {
        if (config.ATTESTATION_BATCH_LINGER_MS > 0) await delay(config.ATTESTATION_BATCH_LINGER_MS);
        let settle: (outcomes: Map<string, Outcome> | undefined) => void = () => {};
        const settled = new Promise<Map<string, Outcome> | undefined>((resolve) => (settle = resolve));
        const locked: string[] = [];
        const onLocked = (digests: string[]) => {
          for (const other of digests.filter((candidate) => !inflight.has(candidate))) {
            inflight.set(other, settled);
            locked.push(other);
          }
        };
        let outcomes = new Map<string, Outcome>();
        try {
          outcomes = await ingestBatch(deps, { ownerId: data.owner_id, digest }, onLocked);
          remember(outcomes);
        } finally {
          // A failed batch answers no one: its waiters go their own way.
          settle(outcomes);
          for (const other of locked) if (inflight.get(other) === settled) inflight.delete(other);
        }
        // The other rows' jobs have nothing left to do (their outbox rows are marked done in the batch).
        await removeAppliedJobs(deps.queues, [...outcomes.keys()].filter((other) => other !== digest));
        const mine = outcomes.get(digest);
        if (mine !== undefined) return mine;
      }
      // Not applied by this job's batch: already recorded, held by another batch (waited for here), or needing the
      // one-by-one path (a rejection, an unknown instance, a nonce held by earlier evidence).
      return await ingest(deps.db, config, data.owner_id, digest);
    } catch (error) {
      // Rejected evidence is an outcome too: recorded on the inbox row (GET shows it), and the job is not retried.
      if (error instanceof AppError && error.code === 'attestation-rejected') await markInboxRejected(deps.db.sql, digest, `${error.code}: ${error.detail}`);
      throw error;
    }
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
