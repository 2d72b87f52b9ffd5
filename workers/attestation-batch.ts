// Batched ingest: one attestation-ingest job applies the reports of its accept group, and the oldest other waiting
// ones up to ATTESTATION_BATCH_SIZE, in one transaction — inbox rows locked (skipping those another transaction holds), nonces claimed and registry rows locked in instance order
// in one statement, every registry update, history row, lineage change and inbox outcome in one more, one
// multi-row stream append at commit, one doorbell after it. Rows the batch cannot decide alone (a rejection, an
// unknown instance, a nonce held by earlier evidence, a row held elsewhere) are left to the one-by-one path.
import { checkFreshness } from '../core/attestation-verifier.ts';
import { planBatch, type BatchReport } from '../core/attestation-batch.ts';
import type { Config } from '../core/config.ts';
import { eventKey } from '../core/lifecycle.ts';
import { attestationReport } from '../core/schemas/trust.ts';
import { trustTransitionQueue } from '../queues/trust-transition.ts';
import { claimBatch, lockInboxBatch, releaseNonces, writeBatch, type BatchLineage, type BatchStep } from '../sql/attestation-batch.ts';
import { transact, type Db } from '../sql/transact.ts';
import { notifyTrustTransitions, transitionPayload, TRUST_STREAM_EVENT, trustNotification, writerNotifyMode, type TrustRegistryRow } from '../sql/trust-registry.ts';
import type { TrustHistoryRow } from '../sql/trust-history.ts';

export type IngestOutcome = { duplicate: boolean; history_id: number; status: string; lifecycle_state: string };

/** Apply a job's reports; resolves with the outcome of every row it applied. */
export async function ingestBatch(deps: { db: Db; config: Config }, carried: { report_id: string; owner_id: string }[]): Promise<Map<string, IngestOutcome>> {
  const { config } = deps;
  const notify = writerNotifyMode(config.TRUST_NOTIFY);
  return transact(deps.db, async (uow) => {
    const entries = await lockInboxBatch(uow.tx, carried, config.ATTESTATION_BATCH_SIZE);
    const now = new Date();
    // Applied in accept order; a report that does not parse or is stale goes the one-by-one way (which rejects it).
    const reports: BatchReport[] = [];
    for (const entry of entries) {
      const parsed = attestationReport.safeParse(entry.report);
      if (!parsed.success || !checkFreshness(new Date(parsed.data.evidence.observed_at), now, config.ATTESTATION_NONCE_MAX_AGE_SECONDS).ok) continue;
      reports.push({ digest: entry.digest, owner_id: entry.owner_id, actor: entry.actor, vm_instance_id: Number(entry.vm_instance_id), report: parsed.data });
    }
    const claimInput = reports.map((r) => ({ digest: r.digest, owner_id: r.owner_id, vm_instance_id: r.vm_instance_id, nonce: r.report.evidence.nonce }));
    const { now: txNow, claims } = await claimBatch(uow.tx, claimInput);
    const byDigest = new Map(claims.map((claim) => [claim.digest, claim]));
    const plan = planBatch<TrustRegistryRow>(reports, (digest) => byDigest.get(digest), { freshnessSeconds: config.ATTESTATION_FRESHNESS_SECONDS, now });
    await releaseNonces(
      uow.tx,
      plan.leftOut.filter((r) => byDigest.get(r.digest)?.claimed).map((r) => ({ vm_instance_id: r.vm_instance_id, nonce: r.report.evidence.nonce, digest: r.digest })),
    );
    // Every instance's registry row as the batch's last step left it, and every server's latest lineage.
    const finals = new Map<number, TrustRegistryRow>();
    const lineage = new Map<number, BatchLineage>();
    const steps: BatchStep[] = plan.applied.map(({ report, before, after, status, observedAt, provenance, outOfOrder, react }) => {
      const registry = { ...after, updated_at: txNow, stale: after.freshness_deadline !== null && after.freshness_deadline.getTime() < txNow.getTime() };
      finals.set(registry.vm_instance_id, registry);
      lineage.set(registry.server_id, {
        owner_id: registry.owner_id, server_id: registry.server_id, vm_instance_id: registry.vm_instance_id,
        attestation_status: registry.attestation_status, remediation_attempts: registry.remediation_attempts,
      });
      return {
        digest: report.digest, vm_instance_id: registry.vm_instance_id, owner_id: registry.owner_id, server_id: registry.server_id,
        registry_version: registry.version, previous_lifecycle_state: before.lifecycle_state, lifecycle_state: registry.lifecycle_state,
        previous_attestation_status: before.attestation_status, attestation_status: registry.attestation_status,
        remediation_state: registry.remediation_state, remediation_attempts: registry.remediation_attempts,
        event: eventKey({ kind: 'attestation', status, observedAt }), actor: report.actor, verifier: report.report.provenance.verifier,
        report_reference: report.report.provenance.report_reference ?? null, reason: (provenance.reason as string | undefined) ?? null,
        provenance, freshness_deadline: registry.freshness_deadline, observed_at: observedAt, out_of_order: outOfOrder, react, status,
      };
    });
    const ids = await writeBatch(uow.tx, { steps, finals: [...finals.values()], lineage: [...lineage.values()] });
    const outcomes = new Map<string, IngestOutcome>();
    const histories: Pick<TrustHistoryRow, 'id' | 'vm_instance_id' | 'registry_version'>[] = [];
    const reactions: { data: { history_id: number; vm_instance_id: number; owner_id: string; notify: boolean; recompute: boolean }; options: { jobId: string } }[] = [];
    for (const [index, step] of steps.entries()) {
      const id = ids.get(step.digest)!;
      const registry = { ...plan.applied[index]!.after, updated_at: txNow, stale: step.freshness_deadline !== null && step.freshness_deadline.getTime() < txNow.getTime() };
      const history = { ...step, id, trigger: 'attestation', evidence_digest: step.digest, created_at: txNow, reacted_at: step.react ? null : txNow } as TrustHistoryRow;
      outcomes.set(step.digest, { duplicate: false, history_id: id, status: step.status, lifecycle_state: step.lifecycle_state });
      histories.push(history);
      if (step.react) reactions.push({ data: { history_id: id, vm_instance_id: step.vm_instance_id, owner_id: step.owner_id, notify: false, recompute: true }, options: { jobId: `trust-transition-${id}` } });
      uow.emit({ topic: 'trust-registry', owner_id: step.owner_id, subject_id: String(step.vm_instance_id), event: TRUST_STREAM_EVENT, payload: transitionPayload(registry, history) }, `trust-history-${id}`);
      if (notify === 'writer') uow.notify(trustNotification(history));
    }
    uow.enqueueMany(trustTransitionQueue, reactions);
    if (notify === 'transaction') await notifyTrustTransitions(uow.tx, histories);
    return outcomes;
  });
}
