// Scheduler test helpers: drive an instance's trust through the one registry writer, and read its refresh schedule.
import type { TrustEvent } from '../../core/lifecycle.ts';
import { applyTrustEvent } from '../../sql/trust-registry.ts';
import { transact } from '../../sql/transact.ts';
import type { RefreshSchedule } from '../../sql/refresh-schedules.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

export async function trustEvent(platform: TestPlatform, vmInstanceId: number, event: TrustEvent, options: { ownerId?: string; freshnessSeconds?: number } = {}): Promise<void> {
  const { ownerId = 'acme', freshnessSeconds = 3600 } = options;
  await transact(platform.clients.db, (uow) => applyTrustEvent(uow, { ownerId, vmInstanceId, event, actor: 'scheduler-test', provenance: { verifier: 'test' }, freshnessSeconds }));
}

export const attested = (status: 'trusted' | 'untrusted'): TrustEvent => ({ kind: 'attestation', status, observedAt: new Date() });

export async function readSchedule(platform: TestPlatform, vmInstanceId: number): Promise<RefreshSchedule | undefined> {
  const [row] = await platform.db.sql<RefreshSchedule[]>`SELECT * FROM evaluation_refresh_schedules WHERE vm_instance_id = ${vmInstanceId}`;
  return row;
}

export function waitForSchedule(platform: TestPlatform, vmInstanceId: number, done: (schedule: RefreshSchedule) => boolean, what: string, timeoutMs = 20_000) {
  return waitFor(() => readSchedule(platform, vmInstanceId), (row) => row !== undefined && done(row), { what, timeoutMs }) as Promise<RefreshSchedule>;
}
