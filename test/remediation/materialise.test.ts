import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectPlaybook } from '../../core/playbook-selection.ts';
import { remediationMaterialiseQueue } from '../../queues/remediation-materialise.ts';
import { applyTrustEvent } from '../../sql/trust-registry.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../trust/sse-client.ts';
import { createInstance, createPlaybook, shellPlaybook } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['remediation-materialise'] });
});
afterAll(() => platform.close());

const operator = (vm: number, target: 'quarantined' | 'remediating') =>
  platform.db.transact((uow) => applyTrustEvent(uow, { ownerId: 'acme', vmInstanceId: vm, event: { kind: 'operator', target }, actor: 'test', provenance: { reason: 'drill', report_reference: 'rpt-1' } }));
const materialise = (vm: number, historyId: number, jobId: string) =>
  platform.clients.queues.enqueue(remediationMaterialiseQueue, { history_id: historyId, vm_instance_id: vm, owner_id: 'acme' }, jobId);
const runsOf = (vm: number) => platform.db.sql`SELECT id, playbook_id, trigger, requested_by, status, approval_state, metadata FROM runtime_vm_remediation_runs WHERE vm_instance_id = ${vm} ORDER BY id`;

describe('quarantine → run', () => {
  it('selects the most specific quarantine playbook, then priority, then the lowest id', () => {
    const instance = { server_id: 7, driver: 'libvirt', isolation_tier: 'sev' };
    const catalog = [
      { id: 1, selector: { on_quarantine: true } },
      { id: 2, selector: { on_quarantine: true, drivers: ['libvirt'] } },
      { id: 3, selector: { on_quarantine: true, drivers: ['libvirt'], priority: 5 } },
      { id: 4, selector: { on_quarantine: true, drivers: ['http'], isolation_tiers: ['sev'] } },
      { id: 5, selector: { drivers: ['libvirt'], isolation_tiers: ['sev'], server_ids: [7] } },
    ];
    expect(selectPlaybook(catalog, instance)?.id).toBe(3);
    expect(selectPlaybook(catalog.slice(0, 2), instance)?.id).toBe(2);
    expect(selectPlaybook([catalog[3]!, catalog[4]!], instance)).toBeUndefined();
  });

  it('materialises one approval-gated run with provenance, and nothing for a second quarantine while it is active', async () => {
    const { id: playbookId } = await createPlaybook(platform, shellPlaybook('on-quarantine', 'true', { approval_required: true, selector: { on_quarantine: true } }));
    const vm = await createInstance(platform, { quarantined: false });
    const { history } = await operator(vm, 'quarantined');
    await materialise(vm, history.id, 'm-1');
    const [run] = await until(async () => ((await runsOf(vm)).length > 0 ? runsOf(vm) : undefined));
    expect(run).toMatchObject({ playbook_id: playbookId, trigger: 'quarantine', requested_by: 'trust-fabric', status: 'pending', approval_state: 'pending' });
    expect(run!.metadata.provenance).toMatchObject({ history_id: history.id, report_reference: 'rpt-1', reason: 'drill' });

    const queue = platform.clients.queues.get(remediationMaterialiseQueue);
    await materialise(vm, history.id, 'm-1-redelivered');
    // The re-delivery must be judged while the instance is still quarantined, so wait for it before moving on.
    await until(async () => (await queue.getCompletedCount()) === 2);
    await operator(vm, 'remediating');
    const { history: again } = await operator(vm, 'quarantined');
    await materialise(vm, again.id, 'm-2');
    await until(async () => (await queue.getCompletedCount()) === 3);
    const completed = await queue.getCompleted();
    expect(completed.map((job) => job.returnvalue.skipped ?? 'created').sort()).toEqual(['active-run-exists', 'active-run-exists', 'created']);
    expect(await runsOf(vm)).toHaveLength(1);
  });
});
