// Wire schema of a server's capability intelligence score and its itemised penalties.
import { z } from 'zod';
import { penaltyCauses } from '../scoring.ts';
import { timestamp } from './common.ts';

export const penalty = z.object({ cause: z.enum(penaltyCauses), vm_instance_id: z.number().int().nullable(), points: z.number(), detail: z.string() }).meta({ id: 'IntelligencePenalty' });

export const intelligenceView = z
  .object({
    server_id: z.number().int(),
    capability: z.string(),
    score: z.number().min(0).max(100),
    penalties: z.array(penalty),
    notes: z.array(z.string()),
    computed_at: timestamp,
    stored: z.boolean().meta({ description: 'false: no recompute has run yet, computed from the current posture on read' }),
  })
  .meta({ id: 'IntelligenceScore' });
