import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

const create = (name: string, as?: { owner: string }) =>
  platform.api('/api/servers', { method: 'POST', json: { name, image: 'ghcr.io/acme/mcp:1' }, ...(as ? { as } : {}) });

describe('servers', () => {
  it('creates a server and reads it back', async () => {
    const created = await create('alpha');
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject({ name: 'alpha', owner_id: 'acme', version: 1, status: 'registered' });
    const fetched = await platform.api(`/api/servers/${body.id}`);
    expect(await fetched.json()).toMatchObject({ id: body.id, name: 'alpha' });
  });

  it('answers 400 with every bad field and writes nothing', async () => {
    const response = await platform.api('/api/servers', { method: 'POST', json: { name: 'Bad Name!', memory_mib: 'lots' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = await response.json();
    expect(problem.code).toBe('validation-failed');
    expect(problem.errors.map((error: { path: string }) => error.path).sort()).toEqual(['body.image', 'body.memory_mib', 'body.name']);
    const [row] = await platform.db.sql`SELECT count(*)::int AS count FROM servers WHERE name = 'Bad Name!'`;
    expect(row?.count).toBe(0);
  });

  it('answers 400 for a malformed JSON body', async () => {
    const response = await platform.api('/api/servers', { method: 'POST', body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe('bad-request');
  });

  it('answers 401 without a token and 403 without the operator role', async () => {
    expect((await fetch(`${platform.url}/api/servers`)).status).toBe(401);
    const forbidden = await platform.api('/api/servers', { method: 'POST', json: { name: 'x', image: 'y' }, as: { roles: ['viewer'] } });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).code).toBe('forbidden');
  });

  it('answers 409 when the name is taken', async () => {
    await create('taken');
    const again = await create('taken');
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('already-exists');
  });

  it('pages through the list with a cursor', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await create(name, { owner: 'pager' });
    const first = await (await platform.api('/api/servers?limit=2', { as: { owner: 'pager' } })).json();
    expect(first.items.map((item: { name: string }) => item.name)).toEqual(['page-a', 'page-b']);
    const second = await (await platform.api(`/api/servers?limit=2&cursor=${first.next_cursor}`, { as: { owner: 'pager' } })).json();
    expect(second.items.map((item: { name: string }) => item.name)).toEqual(['page-c']);
    expect(second.next_cursor).toBeNull();
    expect((await platform.api('/api/servers?cursor=forged', { as: { owner: 'pager' } })).status).toBe(400);
  });

  it('answers 404 for another owner on every route', async () => {
    const { id } = await (await create('private', { owner: 'tenant-a' })).json();
    const asB = { as: { owner: 'tenant-b' } };
    expect((await platform.api(`/api/servers/${id}`, asB)).status).toBe(404);
    expect((await platform.api(`/api/servers/${id}`, { method: 'PATCH', json: { version: 1, description: 'x' }, ...asB })).status).toBe(404);
    expect((await platform.api(`/api/servers/${id}`, { method: 'DELETE', ...asB })).status).toBe(404);
    const list = await (await platform.api('/api/servers', asB)).json();
    expect(list.items).toEqual([]);
  });

  it('lets exactly one of two concurrent PATCHes with the same version win', async () => {
    const { id } = await (await create('contended')).json();
    const patch = (description: string) => platform.api(`/api/servers/${id}`, { method: 'PATCH', json: { version: 1, description } });
    const responses = await Promise.all([patch('first'), patch('second')]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
    const conflict = await responses.find((response) => response.status === 409)!.json();
    expect(conflict).toMatchObject({ code: 'version-conflict', current_version: 2 });
    const [row] = await platform.db.sql`SELECT version FROM servers WHERE id = ${id}`;
    expect(row?.version).toBe(2);
  });

  it('answers 400, not 500, for a version beyond the integer column', async () => {
    const { id } = await (await create('big-version')).json();
    const patch = await platform.api(`/api/servers/${id}`, { method: 'PATCH', json: { version: 3_000_000_000, description: 'x' } });
    expect(patch.status).toBe(400);
    expect((await patch.json()).errors.map((error: { path: string }) => error.path)).toEqual(['body.version']);
    const remove = await platform.api(`/api/servers/${id}?version=3000000000`, { method: 'DELETE' });
    expect(remove.status).toBe(400);
    expect((await remove.json()).errors.map((error: { path: string }) => error.path)).toEqual(['query.version']);
    const [row] = await platform.db.sql`SELECT version, description FROM servers WHERE id = ${id}`;
    expect(row).toEqual({ version: 1, description: '' });
  });

  it('answers 400, not 500, for NUL characters Postgres cannot store', async () => {
    const post = await platform.api('/api/servers', { method: 'POST', json: { name: 'nul', image: 'a\u0000b', metadata: { k: ['x\u0000'] } } });
    expect(post.status).toBe(400);
    expect((await post.json()).errors.map((error: { path: string }) => error.path).sort()).toEqual(['body.image', 'body.metadata.k.0']);
    const { id } = await (await create('nul-patch')).json();
    const patch = await platform.api(`/api/servers/${id}`, { method: 'PATCH', json: { version: 1, description: '\u0000' } });
    expect(patch.status).toBe(400);
    const [row] = await platform.db.sql`SELECT count(*)::int AS count FROM servers WHERE name = 'nul'`;
    expect(row?.count).toBe(0);
  });

  it('answers a method the path does not take with a 405 problem and an Allow header', async () => {
    const response = await platform.api('/api/servers/1', { method: 'PUT', json: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('allow')).toContain('PATCH');
    expect((await response.json()).code).toBe('method-not-allowed');
  });

  it('answers 413, not 400, for a body over the size limit', async () => {
    const response = await platform.api('/api/servers', { method: 'POST', json: { name: 'huge', image: 'x', description: 'd'.repeat(2_000_000) } });
    expect(response.status).toBe(413);
    expect((await response.json()).code).toBe('payload-too-large');
  });

  it('deletes with a version guard', async () => {
    const { id } = await (await create('doomed')).json();
    expect((await platform.api(`/api/servers/${id}?version=7`, { method: 'DELETE' })).status).toBe(409);
    expect((await platform.api(`/api/servers/${id}?version=1`, { method: 'DELETE' })).status).toBe(204);
    expect((await platform.api(`/api/servers/${id}`)).status).toBe(404);
  });
});
