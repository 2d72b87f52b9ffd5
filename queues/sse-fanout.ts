// sse-fanout: the fan-out step from the event log to the API nodes. A job carries only doorbells — which
// (topic, owner) has new events up to which id — never an event: events are appended by their writers, in their
// own transactions (sql/transact.ts), so the log's order is commit order and a job can never reorder it.
import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

export const streamTopic = z.enum(['trust-registry', 'remediation', 'remediation-workspace', 'lifecycle', 'vm-console', 'console']);
export type StreamTopic = z.infer<typeof streamTopic>;

export const streamDoorbell = z.object({ topic: streamTopic, owner_id: z.string().min(1), id: z.number().int().nonnegative() });
export type StreamDoorbell = z.infer<typeof streamDoorbell>;

export const sseFanoutJob = z.object({ doorbells: z.array(streamDoorbell).min(1) });

// A lost doorbell only delays delivery until the hubs' sweep: a few quick retries are enough.
export const sseFanoutQueue = defineQueue('sse-fanout', sseFanoutJob, { attempts: 5, backoff: { type: 'exponential', delay: 200 } });
