// Wire schemas of the placement policy engine: check verdicts, recorded decisions and overrides.
import { z } from 'zod';
import { checkNames, vetoClasses } from '../policy-checks.ts';
import { cursor, timestamp } from './common.ts';

export const checkName = z.enum(checkNames);

export const checkVerdict = z
  .object({
    check: checkName,
    verdict: z.enum(['allow', 'veto']),
    class: z.enum(vetoClasses).nullable(),
    reason: z.string(),
    score: z.number(),
    weight: z.number(),
    gate: z.string().optional(),
    status: z.string().optional(),
    overridden_by: z.number().int().optional(),
  })
  .meta({ id: 'PolicyCheckVerdict' });

export const placementDecision = z
  .object({
    decision_id: z.string(),
    server_id: z.number().int(),
    purpose: z.string(),
    allow: z.boolean(),
    gate: z.string(),
    status: z.string().nullable(),
    reason: z.string().nullable(),
    veto_check: z.string().nullable(),
    veto_class: z.string().nullable(),
    chosen_vm_instance_id: z.number().int().nullable(),
    score: z.number(),
    candidates: z.array(z.object({ vm_instance_id: z.number().int().nullable(), allow: z.boolean(), score: z.number(), checks: z.array(checkVerdict), notes: z.array(z.string()) })),
    notes: z.array(z.string()),
    input_digest: z.string(),
    registry_versions: z.record(z.string(), z.number()),
    overrides_applied: z.array(z.number()),
    created_at: timestamp,
  })
  .meta({ id: 'PlacementDecision' });

export const decisionPage = z.object({ items: z.array(placementDecision), next_cursor: z.string().nullable() }).meta({ id: 'PlacementDecisionPage' });
export const decisionQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20), cursor: cursor.optional() });
export const decisionParam = z.object({ decision_id: z.uuid() });

export const overrideBody = z
  .object({
    check: checkName,
    reason: z.string().trim().min(1).max(2000),
    ttl_seconds: z.number().int().min(1).max(7 * 24 * 3600).meta({ description: 'How long the override lasts' }),
  })
  .strict();

export const placementOverride = z
  .object({
    id: z.number().int(),
    server_id: z.number().int(),
    check: checkName,
    actor: z.string(),
    reason: z.string(),
    expires_at: timestamp,
    created_at: timestamp,
    active: z.boolean(),
  })
  .meta({ id: 'PlacementOverride' });
