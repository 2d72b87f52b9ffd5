// Wire schemas of the evaluations view: list filters, list items, and the detail that explains a block.
import { z } from 'zod';
import { attestationStatus, lifecycleState } from '../trust-states.ts';
import { cursor, timestamp } from './common.ts';
import { intelligenceView } from './intelligence.ts';
import { placementDecision } from './policy.ts';

const positiveId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const boolQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

export const evaluationListQuery = z.object({
  server_id: positiveId.optional(),
  lifecycle_state: lifecycleState.optional(),
  attestation_status: attestationStatus.optional(),
  blocked: boolQuery.optional().meta({ description: 'Only servers whose latest placement decision vetoed (true) or allowed (false)' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
});

const badge = z.object({ label: lifecycleState, tone: z.enum(['ok', 'warn', 'danger', 'neutral']) });

export const evaluationSummary = z
  .object({
    id: z.number().int(),
    server_id: z.number().int(),
    server_name: z.string(),
    server_status: z.string(),
    status: z.string(),
    vm_instance_id: z.number().int().nullable(),
    lifecycle_state: lifecycleState.nullable(),
    lifecycle_badge: badge.nullable(),
    attestation_status: attestationStatus.nullable(),
    remediation_state: z.string().nullable(),
    freshness_deadline: timestamp.nullable(),
    stale: z.boolean(),
    blocked: z.boolean(),
    decision_id: z.string().nullable(),
    decided_at: timestamp.nullable(),
    next_refresh_at: timestamp.nullable(),
    last_refresh_at: timestamp.nullable(),
    last_success_at: timestamp.nullable(),
    refresh_state: z.string().nullable(),
    refresh_paused: z.boolean(),
    stalled: z.boolean(),
  })
  .meta({ id: 'EvaluationSummary' });

export const evaluationPage = z.object({ items: z.array(evaluationSummary), next_cursor: z.string().nullable() }).meta({ id: 'EvaluationPage' });

export const evaluationDetail = evaluationSummary
  .extend({
    lineage: z.object({
      last_attestation_status: attestationStatus.nullable(),
      fallback_launched_at: timestamp.nullable(),
      remediation_attempts: z.number().int(),
    }),
    provenance: z.object({ verifier: z.string().nullable(), evidence_digest: z.string().nullable(), report_reference: z.string().nullable() }),
    registry_version: z.number().int().nullable(),
    notes: z.array(z.string()),
    block: z.object({
      blocked: z.boolean(),
      since: timestamp.nullable().meta({ description: 'First blocked decision after the last allowed one' }),
      lifecycle_since: timestamp.nullable().meta({ description: 'When the newest instance entered its current lifecycle state' }),
      veto_check: z.string().nullable(),
      veto_class: z.string().nullable(),
      reason: z.string().nullable(),
      unblock: z.array(z.object({ check: z.string(), class: z.string().nullable(), reason: z.string(), overridable: z.boolean(), unblock: z.string() })),
    }),
    schedules: z.array(
      z.object({
        vm_instance_id: z.number().int(),
        state: z.string(),
        next_refresh_at: timestamp.nullable(),
        last_attempt_at: timestamp.nullable(),
        last_success_at: timestamp.nullable(),
        last_outcome: z.string().nullable(),
        consecutive_misses: z.number().int(),
        stalled_at: timestamp.nullable(),
      }),
    ),
    latest_decision: placementDecision.nullable(),
    intelligence: intelligenceView,
  })
  .meta({ id: 'EvaluationDetail' });
