// Every route and stream in /openapi.json × every principal × own and foreign owner → the status docs/security.md
// documents. The table below is written by hand (not read from the route specs), so a role line that drifts fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { principals, routeTable as table, type Entry, type Principal } from './route-table.ts';
import { createTenantFixture, type TenantFixture } from './tenant-fixtures.ts';

function expectedStatus(entry: Entry, principal: Principal, ownership: 'own' | 'foreign'): number {
  if (entry.roles === 'public') return entry[ownership];
  if (principal === 'platform-admin' || !entry.roles.includes(principal)) return 403;
  return entry[ownership];
}

let platform: TestPlatform;
const shared: Record<string, TenantFixture> = {};
beforeAll(async () => {
  // The console stream's first snapshot of an owner waits for its projection: host the job that makes it.
  platform = await startTestPlatform({ workers: ['console-project'] });
  shared.acme = await createTenantFixture(platform, 'acme');
  shared.globex = await createTenantFixture(platform, 'globex');
});
afterAll(() => platform.close());

async function send(key: string, entry: Entry, principal: Principal, ownership: 'own' | 'foreign'): Promise<number> {
  const resourceOwner = ownership === 'own' ? 'acme' : 'globex';
  const fx = entry.fresh ? await createTenantFixture(platform, resourceOwner) : shared[resourceOwner]!;
  const [method] = key.split(' ');
  const { path, json } = entry.request(fx);
  const token = principal === 'platform-admin' ? await platform.platformToken() : await platform.token({ owner: 'acme', sub: `matrix-${principal}`, roles: [principal] });
  const controller = new AbortController();
  const response = await platform.api(path, { method, token, signal: controller.signal, ...(json === undefined ? {} : { json }) });
  controller.abort(); // streams stay open otherwise
  return response.status;
}

describe('role × owner matrix over /openapi.json', () => {
  it('has an entry for exactly the routes /openapi.json documents', async () => {
    const { paths } = (await (await fetch(`${platform.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(Object.keys(table).sort());
  });

  it.each(Object.keys(table))('%s answers each principal as documented', async (key) => {
    const entry = table[key]!;
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const principal of principals) {
      for (const ownership of ['own', 'foreign'] as const) {
        got[`${principal}/${ownership}`] = await send(key, entry, principal, ownership);
        want[`${principal}/${ownership}`] = expectedStatus(entry, principal, ownership);
      }
    }
    expect(got).toEqual(want);
  });
});

describe('Bull Board', () => {
  it.each(['viewer', 'operator', 'approver', 'verifier', 'admin'] as const)('refuses a tenant %s token (403)', async (role) => {
    const response = await platform.api('/admin/queues/api/queues', { as: { roles: [role] } });
    expect(response.status).toBe(403);
  });

  it('refuses a token holding every tenant role at once, and anonymous callers (401)', async () => {
    expect((await platform.api('/admin/queues/api/queues', { as: { roles: ['viewer', 'operator', 'approver', 'verifier', 'admin'] } })).status).toBe(403);
    expect((await fetch(`${platform.url}/admin/queues/api/queues`)).status).toBe(401);
  });

  it('admits the platform administrator, read-only by default', async () => {
    const token = await platform.platformToken();
    const queues = await platform.api('/admin/queues/api/queues', { token });
    expect(queues.status).toBe(200);
    const add = await platform.api('/admin/queues/api/queues/attestation-ingest/add', { method: 'POST', token, json: { name: 'x', data: { owner_id: 'globex' } } });
    expect(add.status).toBe(405);
  });
});

describe('a hostile tenant holding operator, approver and tenant admin', () => {
  const mallory = { owner: 'acme', sub: 'mallory', roles: ['operator' as const, 'approver' as const, 'admin' as const] };

  it('cannot make its own instance trusted: it may declare references but cannot submit evidence', async () => {
    const fx = await createTenantFixture(platform, 'acme');
    const refs = await platform.api(`/api/servers/${fx.serverId}/reference-measurements`, { method: 'PUT', as: mallory, json: { measurements: { pcr0: 'ee' }, version: 1 } });
    expect(refs.status).toBe(200);
    const evidence = { measurements: { pcr0: 'ee' }, nonce: 'nonce-mallory-1', observed_at: new Date().toISOString() };
    const attest = await platform.api('/api/trust/attestations', { method: 'POST', as: mallory, json: { vm_instance_id: fx.vmId, evidence, provenance: { verifier: 'mallory' } } });
    expect(attest.status).toBe(403);
    const transition = await platform.api(`/api/trust/registry/${fx.spareVmId}/transition`, { method: 'POST', as: mallory, json: { version: 1, lifecycle_state: 'trusted' } });
    expect(transition.status).toBe(422);
    const states = await platform.db.sql`SELECT lifecycle_state FROM runtime_vm_trust_registry WHERE server_id = ${fx.serverId}`;
    expect(states.map((row) => row.lifecycle_state)).not.toContain('trusted');
  });

  it('cannot lift a quarantine by itself: only a successful run or trusted evidence restores', async () => {
    const fx = await createTenantFixture(platform, 'acme');
    const move = (version: number, lifecycle_state: string) =>
      platform.api(`/api/trust/registry/${fx.spareVmId}/transition`, { method: 'POST', as: mallory, json: { version, lifecycle_state } });
    expect((await move(1, 'quarantined')).status).toBe(200);
    expect((await move(2, 'remediating')).status).toBe(200);
    const restore = await move(3, 'restored');
    expect(restore.status).toBe(422);
    expect(await restore.json()).toMatchObject({ code: 'illegal-transition', lifecycle_state: 'remediating' });
    const [row] = await platform.db.sql`SELECT lifecycle_state FROM runtime_vm_trust_registry WHERE vm_instance_id = ${fx.spareVmId}`;
    expect(row?.lifecycle_state).toBe('remediating');
  });

  it('leaves every reference change in the history with its actor', async () => {
    const fx = await createTenantFixture(platform, 'acme');
    await platform.api(`/api/servers/${fx.serverId}/reference-measurements`, { method: 'PUT', as: mallory, json: { measurements: { pcr0: 'ee' }, version: 1 } });
    const stale = await platform.api(`/api/servers/${fx.serverId}/reference-measurements`, { method: 'PUT', as: mallory, json: { measurements: { pcr0: 'ff' }, version: 1 } });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: 'version-conflict', current_version: 2 });
    const history = await (await platform.api(`/api/servers/${fx.serverId}/reference-measurements/history`)).json();
    expect(history.items.map((row: { version: number; actor: string }) => [row.version, row.actor])).toEqual([[2, 'mallory'], [1, 'seed']]);
  });
});
