// Wire schemas for MCP servers: what clients send and what the API answers.
import { z } from 'zod';
import { isolationTier } from '../config.ts';
import { maxVersion, metadata, page, timestamp, version } from './common.ts';

const name = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and dashes (DNS label)');

export const serverStatus = z.enum([
  'registered',
  'launch-requested',
  'launching',
  'running',
  'stopping',
  'stopped',
  'launch-failed',
  'pending-remediation',
  'pending-attestation',
]);

export const createServerBody = z.strictObject({
  name,
  description: z.string().max(2000).default(''),
  image: z.string().min(1).max(512),
  isolation_tier: isolationTier.optional(),
  memory_mib: z.number().int().min(16).max(16_777_216).optional(),
  vcpu_count: z.number().int().min(1).max(4096).optional(),
  metadata: metadata.default({}),
});
export type CreateServerBody = z.infer<typeof createServerBody>;

export const updateServerBody = createServerBody
  .omit({ name: true })
  .partial()
  .extend({ name: name.optional(), version })
  .strict();
export type UpdateServerBody = z.infer<typeof updateServerBody>;

export const deleteServerQuery = z.object({ version: z.coerce.number().int().positive().max(maxVersion).optional() });

export const server = z
  .object({
    id: z.number().int(),
    owner_id: z.string(),
    name: z.string(),
    description: z.string(),
    image: z.string(),
    isolation_tier: isolationTier.nullable(),
    memory_mib: z.number().int().nullable(),
    vcpu_count: z.number().int().nullable(),
    status: serverStatus,
    placement_notes: z.array(z.string()),
    metadata,
    version: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Server' });
export type Server = z.infer<typeof server>;

export const serverPage = page(server).meta({ id: 'ServerPage' });
