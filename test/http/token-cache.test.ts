// Verified tokens are remembered per secret and options: a remembered token still stops working at its exp, a
// token signed with another secret or checked under other options is verified afresh, and a tampered copy of a
// remembered token is refused.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signToken, verifyToken } from '../../http/tokens.ts';

const secret = 'cache-test-secret-0123456789';
const options = { maxLifetimeSeconds: 3_600 };
const claims = { sub: 'alice', owner: 'acme', roles: ['viewer' as const] };

describe('verified-token cache', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses a remembered token once its exp has passed', async () => {
    const token = await signToken(secret, claims, { expiresIn: 60 });
    expect(await verifyToken(secret, token, options)).toMatchObject({ kind: 'tenant', claims: { owner: 'acme' } });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    await expect(verifyToken(secret, token, options)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('does not let a token remembered under one secret or one set of options pass another', async () => {
    const token = await signToken(secret, claims, { expiresIn: 60 });
    await verifyToken(secret, token, options);
    await expect(verifyToken('another-secret-0123456789', token, options)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(verifyToken(secret, token, { ...options, issuer: 'https://issuer.example' })).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(verifyToken(secret, token, { maxLifetimeSeconds: 30 })).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a copy of a remembered token with its payload changed', async () => {
    const token = await signToken(secret, claims, { expiresIn: 60 });
    await verifyToken(secret, token, options);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'alice', owner: 'globex', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    await expect(verifyToken(secret, `${header}.${forged}.${signature}`, options)).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});
