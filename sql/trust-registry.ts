// runtime_vm_trust_registry: the latest trust snapshot per VM instance. `applyTrustEvent` is the only writer:
// one unit of work advances the lifecycle, appends history, updates lineage, emits the stream event and writes
// the reaction job.
import { applyEvent, eventKey, postureChanged, type TrustEvent } from '../core/lifecycle.ts';
import { AppError } from '../core/errors.ts';
import type { AttestationStatus, LifecycleState, RemediationState } from '../core/trust-states.ts';
import { trustTransitionQueue } from '../queues/trust-transition.ts';
import type { Queryable } from './db.ts';
import { trustLineageCtes } from './evaluation-certifications.ts';
import { findHistoryByEvidence, type TrustHistoryRow } from './trust-history.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export const TRUST_TRANSITION_CHANNEL = 'runtime_vm_trust_transition';
export const TRUST_STREAM_EVENT = 'trust.transition';

export interface TrustRegistryRow {
  vm_instance_id: number;
  owner_id: string;
  server_id: number;
  attestation_status: AttestationStatus;
  lifecycle_state: LifecycleState;
  remediation_state: RemediationState | null;
  remediation_attempts: number;
  freshness_deadline: Date | null;
  /** Observation time of the newest decided evidence applied; older evidence is history only (out of order). */
  evidence_observed_at: Date | null;
  provenance: Record<string, unknown>;
  version: number;
  updated_at: Date;
  /** Derived at read time: the freshness deadline has passed. */
  stale: boolean;
}

export interface TrustProvenance {
  verifier?: string;
  evidence_digest?: string;
  report_reference?: string;
  reason?: string;
  [key: string]: unknown;
}

export interface TrustEventInput {
  ownerId: string;
  vmInstanceId: number;
  /** The registry version the caller read; a different current version is a `version-conflict`. */
  expectedVersion?: number;
  event: TrustEvent;
  actor: string;
  /** Defaults to the event kind (`attestation`, `operator`, `remediation`). */
  trigger?: string;
  provenance?: TrustProvenance;
  /** How long decided evidence keeps the instance fresh (default 3600 s). */
  freshnessSeconds?: number;
  /**
   * Who rings `pg_notify('runtime_vm_trust_transition')`: `reaction` (default — the trust-transition job, after
   * commit), `writer` (the unit of work's coalesced doorbell right after this transaction commits),
   * `transaction` (inside this transaction; serialises commits), `off`.
   */
  notify?: 'reaction' | 'writer' | 'transaction' | 'off';
  /** The registry row, already read `FOR UPDATE` (owner-scoped) in this transaction: saves the round trip. */
  locked?: TrustRegistryRow;
  /** Look up `provenance.evidence_digest` in history first and skip a repeat (default true). */
  dedupeEvidence?: boolean;
}

export interface TrustEventResult {
  registry: TrustRegistryRow;
  history: TrustHistoryRow;
  /** The evidence digest was already recorded: nothing was written, `history` is the earlier row. */
  duplicate: boolean;
}

export async function getTrustRegistry(sql: Queryable, ownerId: string, vmInstanceId: number): Promise<TrustRegistryRow> {
  const [row] = await sql<TrustRegistryRow[]>`
    SELECT *, coalesce(freshness_deadline < now(), false) AS stale FROM runtime_vm_trust_registry
    WHERE vm_instance_id = ${vmInstanceId} AND owner_id = ${ownerId}`;
  if (row === undefined) throw new AppError('vm-instance-not-found', `VM instance ${vmInstanceId} does not exist`);
  return row;
}

/** The SSE payload of one transition: the new snapshot plus what changed and why (no secrets: ids and tags only). */
export function transitionPayload(registry: TrustRegistryRow, history: TrustHistoryRow): Record<string, unknown> {
  return {
    vm_instance_id: registry.vm_instance_id,
    server_id: registry.server_id,
    history_id: history.id,
    version: registry.version,
    lifecycle_state: registry.lifecycle_state,
    previous_lifecycle_state: history.previous_lifecycle_state,
    attestation_status: registry.attestation_status,
    remediation_state: registry.remediation_state,
    remediation_attempts: registry.remediation_attempts,
    freshness_deadline: registry.freshness_deadline?.toISOString() ?? null,
    evidence_observed_at: registry.evidence_observed_at?.toISOString() ?? null,
    stale: registry.stale,
    out_of_order: history.out_of_order,
    trigger: history.trigger,
    event: history.event,
    actor: history.actor,
    // Which evidence made this step (null for steps no evidence made): with out-of-order evidence the
    // registry's provenance below stays the newer evidence's.
    evidence_digest: history.evidence_digest ?? null,
    provenance: registry.provenance,
    updated_at: registry.updated_at.toISOString(),
  };
}

export async function applyTrustEvent(uow: UnitOfWork, input: TrustEventInput): Promise<TrustEventResult> {
  const { tx } = uow;
  const [current] = input.locked?.owner_id === input.ownerId && input.locked.vm_instance_id === input.vmInstanceId
    ? [input.locked]
    : await tx<TrustRegistryRow[]>`
      SELECT *, coalesce(freshness_deadline < now(), false) AS stale FROM runtime_vm_trust_registry
      WHERE vm_instance_id = ${input.vmInstanceId} AND owner_id = ${input.ownerId}
      FOR UPDATE`;
  if (current === undefined) throw new AppError('vm-instance-not-found', `VM instance ${input.vmInstanceId} does not exist`);
  if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
    throw new AppError('version-conflict', `trust registry of VM instance ${input.vmInstanceId} is at version ${current.version}, not ${input.expectedVersion}`, {
      extras: { current_version: current.version },
    });
  }
  const digest = input.provenance?.evidence_digest;
  if (digest !== undefined && input.dedupeEvidence !== false) {
    const earlier = await findHistoryByEvidence(tx, input.vmInstanceId, digest);
    if (earlier !== undefined) return { registry: current, history: earlier, duplicate: true };
  }
  const step = applyEvent(current, input.event, input.freshnessSeconds ?? 3600);
  if (!step.ok) {
    throw new AppError('illegal-transition', `${step.event} is not allowed from lifecycle state ${step.from}`, {
      extras: { lifecycle_state: step.from, event: step.event, current_version: current.version },
    });
  }
  const next = step.next;
  const notify = input.notify ?? 'reaction';
  const recompute = postureChanged(current, next, new Date());
  // Nothing to react to: the history row is born reacted and no reaction job is written.
  const react = recompute || notify === 'reaction';
  const provenance = { ...(input.provenance ?? {}), ...(input.event.kind === 'remediation' && input.event.runId ? { run_id: input.event.runId } : {}) };
  // One statement: the registry update, its history row (whose version is the registry's new version) and the
  // evaluation lineage.
  const [written] = await tx<(TrustHistoryRow & { registry: TrustRegistryRow })[]>`
    WITH registry AS (
      UPDATE runtime_vm_trust_registry SET
        lifecycle_state = ${next.lifecycle_state},
        attestation_status = ${next.attestation_status},
        remediation_state = ${next.remediation_state},
        remediation_attempts = ${next.remediation_attempts},
        freshness_deadline = ${next.freshness_deadline},
        evidence_observed_at = ${next.evidence_observed_at},
        provenance = ${step.outOfOrder ? tx`provenance` : tx`${tx.json(provenance as never)}`},
        version = version + 1,
        updated_at = now()
      WHERE vm_instance_id = ${input.vmInstanceId}
      RETURNING *, coalesce(freshness_deadline < now(), false) AS stale
    ), history AS (
      INSERT INTO runtime_vm_trust_history
        (vm_instance_id, owner_id, server_id, registry_version, previous_lifecycle_state, lifecycle_state, previous_attestation_status,
         attestation_status, remediation_state, remediation_attempts, trigger, event, actor, verifier, evidence_digest, report_reference,
         reason, provenance, freshness_deadline, reacted_at, observed_at, out_of_order)
      SELECT vm_instance_id, owner_id, server_id, version, ${current.lifecycle_state}, lifecycle_state, ${current.attestation_status},
         attestation_status, remediation_state, remediation_attempts, ${input.trigger ?? input.event.kind}, ${eventKey(input.event)}, ${input.actor},
         ${provenance.verifier ?? null}, ${digest ?? null}, ${provenance.report_reference ?? null}, ${provenance.reason ?? null},
         ${tx.json(provenance as never)}, freshness_deadline, ${react ? null : new Date()}::timestamptz,
         ${input.event.kind === 'attestation' ? input.event.observedAt : null}::timestamptz, ${step.outOfOrder}
      FROM registry
      RETURNING *
    ), ${trustLineageCtes(tx, {
      ownerId: current.owner_id,
      serverId: current.server_id,
      vmInstanceId: current.vm_instance_id,
      attestationStatus: input.event.kind === 'attestation' ? next.attestation_status : null,
      remediationAttempts: next.remediation_attempts,
    })}
    SELECT history.*, to_jsonb(registry.*) AS registry FROM history, registry`;
  if (written === undefined) throw new AppError('internal', 'locked registry row vanished');
  const { registry: rawRegistry, ...history } = written;
  const registry = reviveRegistry(rawRegistry);
  if (react) {
    const job = { history_id: history.id, vm_instance_id: registry.vm_instance_id, owner_id: registry.owner_id, notify: notify === 'reaction', recompute };
    uow.enqueue(trustTransitionQueue, job, { jobId: `trust-transition-${history.id}` });
  }
  // Appended at the end of the outermost transaction (savepoints included), under the topic lock.
  const streamEvent = { topic: 'trust-registry' as const, owner_id: registry.owner_id, subject_id: String(registry.vm_instance_id), event: TRUST_STREAM_EVENT, payload: transitionPayload(registry, history) };
  uow.emit(streamEvent, `trust-history-${history.id}`);
  if (notify === 'writer') uow.notify(trustNotification(history));
  if (notify === 'transaction') await notifyTrustTransition(tx, history);
  return { registry, history, duplicate: false };
}

/** to_jsonb() hands timestamps back as strings; the rest of the row is already in wire shape. */
export function reviveRegistry(raw: TrustRegistryRow): TrustRegistryRow {
  const value = raw as unknown as Record<string, unknown>;
  return {
    ...raw,
    freshness_deadline: value.freshness_deadline === null ? null : new Date(value.freshness_deadline as string),
    evidence_observed_at: value.evidence_observed_at == null ? null : new Date(value.evidence_observed_at as string),
    updated_at: new Date(value.updated_at as string),
  };
}

/** The doorbell for external listeners: ids only, far below NOTIFY's 8000-byte limit. */
export function trustNotification(history: Pick<TrustHistoryRow, 'id' | 'vm_instance_id' | 'registry_version'>): { channel: string; payload: string } {
  const payload = JSON.stringify({ history_id: history.id, vm_instance_id: history.vm_instance_id, registry_version: history.registry_version });
  return { channel: TRUST_TRANSITION_CHANNEL, payload };
}

export async function notifyTrustTransition(sql: Queryable, history: Pick<TrustHistoryRow, 'id' | 'vm_instance_id' | 'registry_version'>): Promise<void> {
  const { channel, payload } = trustNotification(history);
  await sql`SELECT pg_notify(${channel}, ${payload})`;
}

/** Many transitions' NOTIFYs in one statement (inside the transaction, TRUST_NOTIFY=transaction). */
export async function notifyTrustTransitions(sql: Queryable, histories: Pick<TrustHistoryRow, 'id' | 'vm_instance_id' | 'registry_version'>[]): Promise<void> {
  if (histories.length === 0) return;
  const payloads = histories.map((history) => trustNotification(history).payload);
  await sql`SELECT pg_notify(${TRUST_TRANSITION_CHANNEL}, p) FROM unnest(${payloads}::text[]) AS t(p)`;
}

/** The seed's persist_vm_attestation_outcome: an attestation outcome through the one writer. */
export function persistVmAttestationOutcome(
  uow: UnitOfWork,
  input: Omit<TrustEventInput, 'event' | 'trigger'> & { status: AttestationStatus; observedAt: Date },
): Promise<TrustEventResult> {
  const { status, observedAt, ...rest } = input;
  return applyTrustEvent(uow, { ...rest, event: { kind: 'attestation', status, observedAt }, trigger: 'attestation' });
}

/** How a writer that owns its transaction should set `notify` for the configured TRUST_NOTIFY mode. */
export function writerNotifyMode(mode: 'after-commit' | 'transaction' | 'off'): 'writer' | 'transaction' | 'off' {
  return mode === 'after-commit' ? 'writer' : mode;
}

