// A launch that failed for good leaves a terminated instance: its trust registry entry is retired in the same
// transaction, so registry, remediation and enqueue agree that the instance is history (docs/libvirt.md).
import type { Config } from '../core/config.ts';
import { isAppError } from '../core/errors.ts';
import { applyTrustEvent, writerNotifyMode } from '../sql/trust-registry.ts';
import type { UnitOfWork } from '../sql/unit-of-work.ts';

export const LAUNCH_ACTOR = 'vm-launch';

export async function retireFailedInstance(uow: UnitOfWork, input: { ownerId: string; vmInstanceId: number; code: string; config: Config }): Promise<void> {
  try {
    await applyTrustEvent(uow, {
      ownerId: input.ownerId,
      vmInstanceId: input.vmInstanceId,
      event: { kind: 'operator', target: 'retired' },
      actor: LAUNCH_ACTOR,
      trigger: 'launch-failed',
      provenance: { reason: `the launch failed (${input.code}); the instance never ran and is retired` },
      freshnessSeconds: input.config.ATTESTATION_FRESHNESS_SECONDS,
      notify: writerNotifyMode(input.config.TRUST_NOTIFY),
    });
  } catch (error) {
    // Already retired (a re-run of the same failure): nothing more to record. The check precedes any write.
    if (!(isAppError(error) && error.code === 'illegal-transition')) throw error;
  }
}
