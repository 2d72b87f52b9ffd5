// Token rules at the HTTP edge: exp required and bounded, iss/aud when configured, where a query token is accepted,
// 401 with WWW-Authenticate, and platform tokens kept off tenant routes.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../http/tokens.ts';
import { readJson, startTestPlatform, TEST_JWT_SECRET, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { JWT_MAX_LIFETIME_SECONDS: '3600' } });
});
afterAll(() => platform.close());

const raw = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('alice');
const key = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);
const tenant = { owner: 'acme', roles: ['operator'] };

describe('bearer tokens', () => {
  it.each([
    ['without exp', () => raw(tenant).setIssuedAt().sign(key)],
    ['living longer than JWT_MAX_LIFETIME_SECONDS', () => signToken(TEST_JWT_SECRET, { sub: 'a', ...tenant, roles: ['operator'] }, { expiresIn: '2h' })],
    ['with a back-dated iat stretching its lifetime', () => raw(tenant).setIssuedAt(now() - 7200).setExpirationTime(now() + 60).sign(key)],
    ['signed with another secret', () => signToken('another-secret-0123456789', { sub: 'a', owner: 'acme', roles: ['operator'] })],
    ['carrying the platform claim and an owner', () => raw({ ...tenant, platform: 'admin' }).setExpirationTime('1h').sign(key)],
  ])('answers 401 with WWW-Authenticate for a token %s', async (_name, make) => {
    const response = await platform.api('/api/servers', { token: await make() });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="mcp-runtime", error="invalid_token"');
    expect(await response.json()).toMatchObject({ code: 'unauthenticated', status: 401 });
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const response = await fetch(`${platform.url}/api/servers`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="mcp-runtime"');
  });

  it('accepts ?access_token= on a stream but answers 401 on any other route', async () => {
    const token = await platform.token();
    expect((await fetch(`${platform.url}/api/servers?access_token=${token}`)).status).toBe(401);
    const controller = new AbortController();
    const stream = await fetch(`${platform.url}/api/trust/registry/stream?access_token=${token}`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
  });

  it('reads the token cookie only under Bull Board', async () => {
    const response = await fetch(`${platform.url}/api/servers`, { headers: { cookie: `mcp_token=${await platform.token()}` } });
    expect(response.status).toBe(401);
  });

  it('refuses a platform administrator on tenant routes (403): it has no tenant', async () => {
    const response = await platform.api('/api/servers', { token: await platform.platformToken() });
    expect(response.status).toBe(403);
    expect((await readJson(response)).code).toBe('forbidden');
  });

  it('replaces a request id holding ":" with its own', async () => {
    const response = await fetch(`${platform.url}/healthz`, { headers: { 'x-request-id': 'a:b:c' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('builds a VM action job id from our own ids, never from the request id', async () => {
    const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'job-id', image: 'img:1' } })).json();
    const response = await platform.api(`/api/servers/${server.id}/vm/launch`, { method: 'POST', json: {}, headers: { 'x-request-id': 'caller-chosen-id' } });
    expect(response.status).toBe(202);
    expect((await response.json()).job_id).toBe(`vm-launch-${server.id}-v${server.version + 1}`);
  });
});

describe('issuer and audience', () => {
  let checked: TestPlatform;
  beforeAll(async () => {
    checked = await startTestPlatform({ env: { JWT_ISSUER: 'https://auth.example', JWT_AUDIENCE: 'mcp-runtime' } });
  });
  afterAll(() => checked.close());

  it('accepts only tokens with the configured iss and aud', async () => {
    const claims = { sub: 'alice', owner: 'acme', roles: ['viewer' as const] };
    const right = await signToken(TEST_JWT_SECRET, claims, { issuer: 'https://auth.example', audience: 'mcp-runtime' });
    const wrongAudience = await signToken(TEST_JWT_SECRET, claims, { issuer: 'https://auth.example', audience: 'other' });
    expect((await checked.api('/api/servers', { token: right })).status).toBe(200);
    expect((await checked.api('/api/servers', { token: wrongAudience })).status).toBe(401);
    expect((await checked.api('/api/servers', { token: await signToken(TEST_JWT_SECRET, claims) })).status).toBe(401);
  });
});
