// Accepting attestations: concurrent POST /api/trust/attestations share one transaction (core/group-commit.ts)
// that records every new report in the inbox and writes one attestation-ingest job carrying them all, so under
// load a commit (and a job) serves many outcomes; a lone POST flushes at once. One report's missing or terminated
// instance is that request's error alone.
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { createGroupCommit, type ItemResult } from '../core/group-commit.ts';
import { assertInstanceLive } from '../core/instance-liveness.ts';
import { attestationGroupJobId, attestationIngestQueue } from '../queues/attestation-ingest.ts';
import { recordInboxEntries, type InboxAcceptance, type NewInboxEntry } from '../sql/attestation-inbox.ts';
import { transact, type Db } from '../sql/transact.ts';

/** Accept groups in flight at once per API process beyond the first (only full groups start them). */
const MAX_IN_FLIGHT = 4;

export interface AttestationAccepter {
  /** Records `entry` (once per evidence) with the job that will apply it; resolves when committed. */
  accept(entry: NewInboxEntry): Promise<void>;
  /** A batch request's entries, in as few groups as they fill; answered per entry. */
  acceptMany(entries: NewInboxEntry[]): Promise<ItemResult<void>[]>;
}

export function createAttestationAccepter(deps: { db: Db; config: Config }): AttestationAccepter {
  // A group's job is handed to BullMQ (awaited, in transact) before the next group starts: jobs reach the queue
  // in accept order, so when two groups carry the same nonce the earlier accepted is applied (and claims it) first.
  const group = createGroupCommit<NewInboxEntry, void>(
    (entries) =>
      transact(deps.db, async (uow) => {
        const jobId = attestationGroupJobId();
        const accepted = await recordInboxEntries(uow.tx, entries, jobId);
        const carried = new Map<string, { report_id: string; owner_id: string }>();
        for (const [index, acceptance] of accepted.entries()) {
          if (acceptance.recorded) carried.set(acceptance.digest, { report_id: acceptance.digest, owner_id: entries[index]!.owner_id });
        }
        // Evidence already in the inbox has its job already: the same evidence is applied once.
        if (carried.size > 0) uow.enqueue(attestationIngestQueue, { reports: [...carried.values()] }, { jobId });
        return accepted.map((acceptance, index) => verdict(acceptance, entries[index]!));
      }),
    { maxGroup: deps.config.ATTESTATION_BATCH_SIZE, maxInFlight: MAX_IN_FLIGHT },
  );
  return { accept: (entry) => group.submit(entry), acceptMany: (entries) => group.submitMany(entries) };
}

function verdict(acceptance: InboxAcceptance, entry: NewInboxEntry): ItemResult<void> {
  try {
    if (acceptance.instance === null) throw new AppError('vm-instance-not-found', `VM instance ${entry.vm_instance_id} does not exist`);
    assertInstanceLive(acceptance.instance, 'it takes no more evidence');
    return { ok: true, value: undefined };
  } catch (error) {
    return { ok: false, error };
  }
}
