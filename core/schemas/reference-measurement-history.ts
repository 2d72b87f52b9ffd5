// The change log of a server's reference measurements: who set which values at which version.
import { z } from 'zod';
import { timestamp } from './common.ts';

export const referenceMeasurementChange = z
  .object({
    version: z.number().int(),
    measurements: z.record(z.string(), z.string()),
    actor: z.string(),
    changed_at: timestamp,
  })
  .meta({ id: 'ReferenceMeasurementChange' });

export const referenceMeasurementHistory = z.object({ items: z.array(referenceMeasurementChange) });

export const referenceMeasurementHistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
