import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../core/errors.ts';
import { canTransition, runStatus, type RunStatus } from '../../core/remediation-status.ts';
import { createRun } from '../../sql/remediation-run-actions.ts';
import { transitionRun } from '../../sql/remediation-run-status.ts';
import { lockRun } from '../../sql/remediation-runs.ts';
import { transact } from '../../sql/transact.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createInstance, createPlaybook, shellPlaybook } from './support.ts';

let platform: TestPlatform;
let playbooks: { gated: { id: number; version: number }; auto: { id: number; version: number } };
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  playbooks = {
    gated: await createPlaybook(platform, shellPlaybook('writer-gated', 'true', { approval_required: true })),
    auto: await createPlaybook(platform, shellPlaybook('writer-auto', 'true')),
  };
});
afterAll(() => platform.close());

async function newRun(gated: boolean) {
  const vm = await createInstance(platform);
  const playbook = gated ? playbooks.gated : playbooks.auto;
  const [row] = await platform.db.sql`SELECT * FROM runtime_vm_remediation_playbooks WHERE id = ${playbook.id}`;
  const input = { ownerId: 'acme', vmInstanceId: vm, playbook: row as never, requestedBy: 'alice', trigger: 'manual', metadata: {}, approvalTtlSeconds: 3600 };
  return (await transact(platform.clients.db, (uow) => createRun(uow, input, 'throw')))!;
}

/** Apply `to` through the one writer: the new status, or the error code it was refused with. */
const apply = (runId: number, to: RunStatus) =>
  transact(platform.clients.db, async (uow) => {
    const run = (await lockRun(uow.tx, runId))!;
    return (await transitionRun(uow, run, { to, actor: 'property' })).status;
  }).catch((error: unknown) => (isAppError(error) ? { refused: error.code } : Promise.reject(error)));

describe('the one run status writer (properties)', () => {
  it('leaves any event sequence in a legal status, refuses every illegal pair, and writes one ledger row per change', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(fc.constantFrom(...runStatus.options), { maxLength: 8 }), async (gated, targets) => {
        const run = await newRun(gated);
        let status: RunStatus = run.status;
        let accepted = 0;
        for (const to of targets) {
          const answer = await apply(run.id, to);
          if (canTransition(status, to)) {
            expect(answer).toBe(to);
            status = to;
            accepted++;
          } else {
            expect(answer).toEqual({ refused: 'illegal-run-transition' });
          }
        }
        const [row] = await platform.db.sql<{ status: string; version: number }[]>`SELECT status, version FROM runtime_vm_remediation_runs WHERE id = ${run.id}`;
        expect(row).toEqual({ status, version: run.version + accepted });
        const ledger = await platform.db.sql<{ from_status: string | null; to_status: string }[]>`
          SELECT from_status, to_status FROM runtime_vm_remediation_run_transitions WHERE run_id = ${run.id} ORDER BY id`;
        expect(ledger).toHaveLength(accepted + 1);
        expect(ledger.every((entry) => entry.from_status === null || canTransition(entry.from_status as RunStatus, entry.to_status as RunStatus))).toBe(true);
        expect(ledger.at(-1)?.to_status).toBe(status);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('streams one status event per accepted change', async () => {
    const run = await newRun(true);
    for (const to of ['queued', 'succeeded', 'running', 'cancelled'] as const) await apply(run.id, to);
    const events = await platform.db.sql<{ event: string }[]>`
      SELECT event FROM stream_events WHERE topic = 'remediation' AND subject_id = ${String(run.id)} ORDER BY id`;
    expect(events.map((entry) => entry.event)).toEqual(['run.created', 'run.queued', 'run.running', 'run.cancelled']);
  });
});
