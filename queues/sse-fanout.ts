// sse-fanout: append one event to the durable stream log in commit order and ring every API node's doorbell.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const streamTopic = z.enum(['trust-registry', 'remediation', 'lifecycle', 'vm-console']);
export type StreamTopic = z.infer<typeof streamTopic>;

export const sseFanoutJob = z.object({
  topic: streamTopic,
  owner_id: z.string().min(1),
  subject_id: z.string().min(1),
  event: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});

export const sseFanoutQueue = defineQueue('sse-fanout', sseFanoutJob, { attempts: 10, backoff: { type: 'exponential', delay: 200 } });
