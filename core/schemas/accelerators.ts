// Wire schemas of accelerator posture (per VM instance) and build artifact runs (per server).
import { z } from 'zod';
import { cursor, metadata, timestamp } from './common.ts';

const label = z.string().trim().min(1).max(200);

export const acceleratorPostureBody = z
  .object({
    kind: label,
    posture: label.meta({ description: '`compliant`, `trusted`, `ok` and `healthy` clear placement; anything else vetoes it (`revoked`/`tampered` structurally)' }),
    policy_feedback: z.array(z.string().max(500)).max(50).default([]),
    metadata: metadata.default({}),
  })
  .strict();

/** One accelerator fixture in run or scenario metadata (`metadata.accelerators` / `metadata.scenario.accelerators`). */
export const acceleratorFixture = acceleratorPostureBody.extend({ accelerator_id: label });
export const acceleratorFixtures = z.array(acceleratorFixture).max(64);

export const acceleratorPosture = z
  .object({
    vm_instance_id: z.number().int(),
    accelerator_id: z.string(),
    kind: z.string(),
    posture: z.string(),
    policy_feedback: z.unknown(),
    metadata: z.record(z.string(), z.unknown()),
    updated_at: timestamp,
  })
  .meta({ id: 'AcceleratorPosture' });

export const buildArtifactStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']);

export const buildArtifactBody = z
  .object({
    manifest_digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex>'),
    manifest_tag: z.string().trim().min(1).max(200).optional(),
    registry_image: z.string().trim().min(1).max(500).optional(),
    status: buildArtifactStatus.default('pending'),
    started_at: z.iso.datetime({ offset: true }).optional(),
    completed_at: z.iso.datetime({ offset: true }).optional(),
    duration_seconds: z.number().int().min(0).max(2_147_483_647).optional(),
    metadata: metadata.default({}),
  })
  .strict();

export const buildArtifactRun = z
  .object({
    id: z.number().int(),
    server_id: z.number().int(),
    manifest_digest: z.string(),
    manifest_tag: z.string().nullable(),
    registry_image: z.string().nullable(),
    status: z.string(),
    started_at: timestamp,
    completed_at: timestamp.nullable(),
    duration_seconds: z.number().int().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'BuildArtifactRun' });

export const buildArtifactQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: cursor.optional() });
