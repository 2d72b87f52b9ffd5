// Wire schemas of the trust fabric: registry snapshots, history rows, transitions, attestation reports,
// reference measurements and VM instance registration. The list query doubles as the stream filter.
import { z } from 'zod';
import { isolationTier } from '../config.ts';
import { attestationStatus, lifecycleState, remediationState } from '../trust-states.ts';
import { cursor, metadata, timestamp, version } from './common.ts';

const positiveId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const boolQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

export const vmInstanceParam = z.object({ vm_instance_id: positiveId });

/** Filters shared by `GET /api/trust/registry` and its stream: the two must never drift apart. */
export const registryFilter = z.object({
  server_id: positiveId.optional(),
  lifecycle_state: lifecycleState.optional(),
  attestation_status: attestationStatus.optional(),
  stale: boolQuery.optional(),
});
export type RegistryFilter = z.infer<typeof registryFilter>;

export const registryListQuery = registryFilter.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
});

export const provenance = z
  .object({
    verifier: z.string().max(200).optional(),
    evidence_digest: z.string().max(200).optional(),
    report_reference: z.string().max(2000).optional(),
    reason: z.string().max(2000).optional(),
  })
  .catchall(z.unknown());

export const registryEntry = z
  .object({
    vm_instance_id: z.number().int(),
    owner_id: z.string(),
    server_id: z.number().int(),
    attestation_status: attestationStatus,
    lifecycle_state: lifecycleState,
    remediation_state: remediationState.nullable(),
    remediation_attempts: z.number().int(),
    freshness_deadline: timestamp.nullable(),
    evidence_observed_at: timestamp.nullable().meta({ description: 'Observation time of the newest decided evidence applied; older evidence moves nothing' }),
    stale: z.boolean(),
    provenance,
    version: z.number().int(),
    updated_at: timestamp,
  })
  .meta({ id: 'TrustRegistryEntry' });
export type RegistryEntry = z.infer<typeof registryEntry>;

export const registryPage = z.object({ items: z.array(registryEntry), next_cursor: z.string().nullable() }).meta({ id: 'TrustRegistryPage' });

export const historyEntry = z
  .object({
    id: z.number().int(),
    vm_instance_id: z.number().int(),
    server_id: z.number().int(),
    registry_version: z.number().int(),
    previous_lifecycle_state: lifecycleState.nullable(),
    lifecycle_state: lifecycleState,
    previous_attestation_status: attestationStatus.nullable(),
    attestation_status: attestationStatus,
    remediation_state: remediationState.nullable(),
    remediation_attempts: z.number().int(),
    trigger: z.string(),
    event: z.string().nullable(),
    actor: z.string().nullable(),
    verifier: z.string().nullable(),
    evidence_digest: z.string().nullable(),
    report_reference: z.string().nullable(),
    reason: z.string().nullable(),
    freshness_deadline: timestamp.nullable(),
    observed_at: timestamp.nullable().meta({ description: 'When the evidence was observed (attestations only)' }),
    out_of_order: z.boolean().meta({ description: 'Evidence older than the newest applied: recorded, but it moved nothing' }),
    created_at: timestamp,
  })
  .meta({ id: 'TrustHistoryEntry' });

export const historyList = z.object({ items: z.array(historyEntry), limit: z.number().int() }).meta({ id: 'TrustHistory' });

export const historyQuery = (defaultLimit: number, maxLimit: number) =>
  z.object({ limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit) });

export const transitionBody = z.strictObject({
  version,
  lifecycle_state: lifecycleState.meta({ description: 'Target lifecycle state' }),
  reason: z.string().min(1).max(2000).optional(),
});

export const transitionResult = z.object({ registry: registryEntry, history: historyEntry }).meta({ id: 'TrustTransitionResult' });

const measurementValue = z.string().regex(/^[0-9a-fA-F]{2,256}$/, 'must be a hex digest');
const measurements = z.record(z.string().min(1).max(64), measurementValue).refine((value) => Object.keys(value).length <= 64, 'at most 64 registers');

export const attestationReport = z.strictObject({
  vm_instance_id: z.number().int().positive(),
  status: attestationStatus.default('trusted').meta({
    description: "The reporter's own verdict; ours can only make it worse (unknown = could not decide)",
  }),
  evidence: z.strictObject({
    measurements,
    nonce: z.string().min(8).max(256),
    observed_at: z.iso.datetime({ offset: true }),
  }),
  provenance: z.strictObject({
    verifier: z.string().min(1).max(200),
    report_reference: z.string().max(2000).optional(),
    reason: z.string().max(2000).optional(),
  }),
});
export type AttestationReport = z.infer<typeof attestationReport>;

export const attestationAccepted = z.object({ job_id: z.string(), evidence_digest: z.string(), status: z.literal('queued') }).meta({ id: 'AttestationAccepted' });

/** Most reports one batch request may carry (they are split into accept groups of ATTESTATION_BATCH_SIZE). */
export const ATTESTATION_BATCH_MAX = 1000;

export const attestationBatch = z
  .strictObject({ reports: z.array(attestationReport).min(1).max(ATTESTATION_BATCH_MAX) })
  .meta({ id: 'AttestationBatch', description: 'Many outcome reports in one request, e.g. from a verifier that serves a fleet' });

export const attestationRefused = z
  .object({
    status: z.literal('refused'),
    evidence_digest: z.string(),
    code: z.string(),
    http_status: z.number().int().meta({ description: 'The status a single POST of this report would have answered' }),
    detail: z.string(),
  })
  .meta({ id: 'AttestationRefused' });

export const attestationBatchAccepted = z
  .object({
    accepted: z.number().int(),
    refused: z.number().int(),
    results: z.array(z.union([attestationAccepted, attestationRefused])).meta({ description: 'One per report, in request order' }),
  })
  .meta({ id: 'AttestationBatchAccepted' });

export const referenceMeasurementsBody = z.strictObject({
  measurements: measurements.refine((value) => Object.keys(value).length > 0, 'at least one register'),
  version: version.optional().meta({ description: 'Required to replace existing references' }),
});

export const referenceMeasurements = z
  .object({ server_id: z.number().int(), measurements: z.record(z.string(), z.string()), version: z.number().int(), updated_at: timestamp })
  .meta({ id: 'ReferenceMeasurements' });

export const createVmInstanceBody = z.strictObject({
  driver: z.enum(['http', 'libvirt']).default('http'),
  domain_name: z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
  memory_mib: z.number().int().min(16).max(16_777_216).default(512),
  vcpu_count: z.number().int().min(1).max(4096).default(1),
  isolation_tier: isolationTier.default('none'),
  metadata: metadata.default({}),
});

export const vmInstance = z
  .object({
    id: z.number().int(),
    owner_id: z.string(),
    server_id: z.number().int(),
    driver: z.string(),
    domain_name: z.string(),
    memory_mib: z.number().int(),
    vcpu_count: z.number().int(),
    isolation_tier: isolationTier,
    status: z.string(),
    version: z.number().int(),
    created_at: timestamp,
  })
  .meta({ id: 'VmInstance' });

