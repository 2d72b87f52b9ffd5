import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTrustEvent } from '../../sql/trust-registry.ts';
import { catchUpTrustReactions } from '../../workers/trust-catch-up.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { seedInstance } from './fixtures.ts';
import { until } from './sse-client.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['trust-transition', 'scheduler-refresh', 'score-recompute'] });
});
afterAll(() => platform.close());

describe('trust listener catch-up', () => {
  it('re-derives reactions from history when their outbox rows never reached the queue', async () => {
    const { vmInstanceId, serverId } = await seedInstance(platform.db.sql);
    // A transition committed while the reaction path was down: its outbox rows are gone.
    const { history } = await platform.db.transact(async (uow) => {
      const result = await applyTrustEvent(uow, { ownerId: 'acme', vmInstanceId, event: { kind: 'operator', target: 'quarantined' }, actor: 'test' });
      await uow.tx`DELETE FROM outbox WHERE relayed_at IS NULL`;
      return result;
    });
    expect(await catchUpTrustReactions(platform.clients, { graceSeconds: 0 })).toBeGreaterThanOrEqual(1);
    await until(async () => (await platform.db.sql`SELECT reacted_at FROM runtime_vm_trust_history WHERE id = ${history.id}`)[0]?.reacted_at);
    const [plan] = await until(async () => {
      const rows = await platform.db.sql`SELECT refresh_paused FROM evaluation_certifications WHERE server_id = ${serverId} AND refresh_paused`;
      return rows.length > 0 && rows;
    });
    expect(plan).toEqual({ refresh_paused: true });
    expect(await platform.clients.queues.get('remediation-materialise').getJob(`quarantine-${history.id}`)).toBeDefined();
  });

  it('finds nothing to do once every row has reacted', async () => {
    await until(async () => (await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_trust_history WHERE reacted_at IS NULL`)[0]?.n === 0);
    expect(await catchUpTrustReactions(platform.clients, { graceSeconds: 0 })).toBe(0);
  });
});
