// Wire schemas for a server's VM: launch/stop requests, the instance view with its trust badge, console lines.
import { z } from 'zod';
import { lifecycleState } from '../trust-states.ts';
import { timestamp, version } from './common.ts';
import { serverStatus } from './servers.ts';
import { vmInstance } from './trust.ts';

export const vmActionBody = z.strictObject({
  version: version.optional().meta({ description: 'The server version you read; a stale one answers 409' }),
});

export const vmActionAccepted = z
  .object({ server_id: z.number().int(), action: z.enum(['launch', 'stop']), status: serverStatus, job_id: z.string(), version: z.number().int() })
  .meta({ id: 'VmActionAccepted' });

export const vmInstanceView = vmInstance
  .pick({ id: true, driver: true, domain_name: true, memory_mib: true, vcpu_count: true, isolation_tier: true, status: true, created_at: true })
  .extend({
    credential_snapshot: z.object({ username: z.string().optional(), password: z.enum(['supplied', 'absent']).optional() }),
    terminated_at: timestamp.nullable(),
  });

export const vmTrustView = z.object({
  lifecycle_state: lifecycleState,
  lifecycle_badge: z.object({ label: lifecycleState, tone: z.enum(['ok', 'warn', 'danger', 'neutral']) }),
  attestation_status: z.string(),
  remediation_state: z.string().nullable(),
  remediation_attempts: z.number().int(),
  freshness_deadline: timestamp.nullable(),
  stale: z.boolean(),
  provenance: z.record(z.string(), z.unknown()),
});

export const vmView = z
  .object({
    server_id: z.number().int(),
    server_status: serverStatus,
    placement_notes: z.array(z.string()),
    instance: vmInstanceView.nullable(),
    trust: vmTrustView.nullable(),
  })
  .meta({ id: 'VmView' });

export const consoleQuery = (defaultTail: number) => z.object({ tail: z.coerce.number().int().min(1).max(100_000).default(defaultTail) });

export const consoleLines = z
  .object({
    server_id: z.number().int(),
    domain_name: z.string().nullable(),
    lines: z.array(z.string()),
    cursor: z.string().nullable().meta({ description: 'Pass as Last-Event-ID (or ?cursor=) to the stream to follow on from these lines' }),
  })
  .meta({ id: 'VmConsoleLines' });
