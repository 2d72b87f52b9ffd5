import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudPlan } from '../../core/remediation-plan.ts';
import { createCloudExecutor } from '../../executors/remediation/cloud.ts';
import { createSecretResolver, secretEnvName } from '../../executors/remediation/secrets.ts';
import { reply, startFakeApi, type FakeApi } from './cloud-server.ts';
import { testContext } from './context.ts';

// `api` is the playbook's origin; `other` is a second loopback server on another port: another origin.
let api: FakeApi;
let other: FakeApi;
let secretsFile: string;

beforeAll(async () => {
  [api, other] = await Promise.all([startFakeApi(), startFakeApi()]);
  secretsFile = path.join(await mkdtemp(path.join(tmpdir(), 'secrets-')), 'secrets.json');
  await writeFile(secretsFile, JSON.stringify({ 'owner-a': { 'cloud-token': 'a-secret' }, 'owner-b': { 'own-token': 'b-secret' } }), { mode: 0o600 });
});
afterAll(() => Promise.all([api.close(), other.close()]));
beforeEach(() => {
  api.received.length = 0;
  other.received.length = 0;
  api.handle((_req, res) => reply(res, 200, { ok: true }));
});

// The fake APIs listen on loopback, which a worker allows only with REMEDIATION_CLOUD_ALLOW_LOOPBACK.
const cloud = (options: { responseCapBytes?: number } = {}) => createCloudExecutor({ resolveSecret: createSecretResolver({ file: secretsFile, env: {} }), allowLoopback: true, ...options });
const plan = (ref = 'cloud-token', url = `${api.base}/repair`) => cloudPlan.parse({ url, auth: { secret_ref: ref } });
const sentSecrets = () => [...api.received, ...other.received].map((request) => request.headers.authorization).filter(Boolean);

describe('secret references are scoped to the run owner', () => {
  it('resolves an owner’s own ref and sends it', async () => {
    expect(await cloud().execute(plan('own-token'), await testContext({ ownerId: 'owner-b' }))).toMatchObject({ status: 'succeeded' });
    expect(sentSecrets()).toEqual(['Bearer b-secret']);
  });

  it('refuses owner B naming owner A’s ref with policy-denied, and sends nothing', async () => {
    const result = await cloud().execute(plan('cloud-token'), await testContext({ ownerId: 'owner-b' }));
    expect(result).toMatchObject({ status: 'failed', failureReason: 'policy-denied' });
    expect(api.received).toHaveLength(0);
  });

  it('answers a foreign ref exactly as a ref that exists nowhere', async () => {
    const foreign = await cloud().execute(plan('cloud-token'), await testContext({ ownerId: 'owner-b' }));
    const unknown = await cloud().execute(plan('cloud-token'), await testContext({ ownerId: 'owner-c' }));
    expect(foreign).toEqual(unknown);
  });

  it.each(['__proto__', 'toString', 'constructor'])('does not resolve the inherited name %s', async (name) => {
    const resolve = createSecretResolver({ file: secretsFile, env: {} });
    expect(await resolve(name, name)).toBeUndefined();
    expect(await resolve('owner-a', name)).toBeUndefined();
  });

  it('reads the env form per owner, with names that cannot collide across owners', async () => {
    const env = { [secretEnvName('acme', 'cloud-token')]: 'acme-value' };
    const resolve = createSecretResolver({ env });
    expect(Object.keys(env)).toEqual(['REMEDIATION_SECRET_acme__cloud_2Dtoken']);
    expect([await resolve('acme', 'cloud-token'), await resolve('ACME', 'cloud-token'), await resolve('acme_', '_cloud-token')]).toEqual(['acme-value', undefined, undefined]);
    expect(secretEnvName('a-b', 'c')).not.toBe(secretEnvName('a_b', 'c'));
  });

  it('refuses a flat (unscoped) secrets file as unreadable, without quoting it', async () => {
    const flat = path.join(path.dirname(secretsFile), 'flat.json');
    await writeFile(flat, JSON.stringify({ 'cloud-token': 'flat-secret' }));
    const result = await createCloudExecutor({ resolveSecret: createSecretResolver({ file: flat, env: {} }), allowLoopback: true }).execute(plan(), await testContext());
    expect(result).toMatchObject({ status: 'failed', failureReason: 'executor-unavailable' });
    expect(result.detail).toContain('{ "<owner_id>": { "<ref>": "<value>" } }');
    expect(JSON.stringify(result)).not.toContain('flat-secret');
    expect(api.received).toHaveLength(0);
  });
});

describe('cloud redirects are followed only within the origin and the URL policy', () => {
  it('follows a same-origin 302 with the secret', async () => {
    api.handle((req, res) => (req.url === '/repair' ? res.writeHead(302, { location: '/moved' }).end() : reply(res, 200, { at: req.url })));
    const result = await cloud().execute(plan(), await testContext());
    expect(result).toMatchObject({ status: 'succeeded', outputs: { response: { at: '/moved' } } });
    expect(api.received.map((request) => `${request.method} ${request.url} ${request.headers.authorization}`)).toEqual(['POST /repair Bearer a-secret', 'GET /moved Bearer a-secret']);
  });

  it.each([307, 302, 308])('refuses a %i to another origin, which receives nothing', async (status) => {
    api.handle((_req, res) => res.writeHead(status, { location: `${other.base}/steal` }).end());
    expect(await cloud().execute(plan(), await testContext())).toMatchObject({ status: 'failed', failureReason: 'policy-denied' });
    expect(other.received).toHaveLength(0);
    expect(api.received).toHaveLength(1);
  });

  it('refuses a 302 to plain http on a non-loopback host', async () => {
    api.handle((_req, res) => res.writeHead(302, { location: 'http://198.51.100.7/steal' }).end());
    const result = await cloud().execute(plan(), await testContext());
    expect(result).toMatchObject({ status: 'failed', failureReason: 'policy-denied' });
    expect(result.detail).toContain('http://198.51.100.7');
  });

  it('refuses to poll an operation URL on another origin', async () => {
    api.handle((_req, res) => reply(res, 202, { operation_url: `${other.base}/operations/1` }));
    const polling = cloudPlan.parse({ url: `${api.base}/repair`, auth: { secret_ref: 'cloud-token' }, poll: { interval_ms: 10 } });
    expect(await cloud().execute(polling, await testContext())).toMatchObject({ status: 'failed', failureReason: 'policy-denied' });
    expect(other.received).toHaveLength(0);
  });

  it('gives up after too many same-origin redirects', async () => {
    api.handle((req, res) => res.writeHead(307, { location: `${req.url}x` }).end());
    expect(await cloud().execute(plan(), await testContext())).toMatchObject({ status: 'failed', failureReason: 'playbook-bug' });
    expect(api.received).toHaveLength(6);
  });
});

describe('cloud answers are read up to a cap', () => {
  it('stops reading a 50 MB answer at the cap and stores a marker instead of the body', async () => {
    const total = 50 * 1024 * 1024;
    const sent = { bytes: 0, finished: false };
    api.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (sent.bytes < total && !res.destroyed) {
          sent.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (sent.bytes >= total) res.end(() => (sent.finished = true));
      };
      pump();
    });
    const context = await testContext();
    const result = await cloud({ responseCapBytes: 1024 * 1024 }).execute(plan(), context);
    expect(result).toMatchObject({ status: 'succeeded', outputs: { response: null, response_truncated: true, response_cap_bytes: 1024 * 1024 } });
    expect(JSON.stringify(result).length).toBeLessThan(1_000);
    expect(context.lines('system')).toContain('the answer exceeded 1048576 bytes: reading stopped there and the body was not kept');
    expect(sent.finished).toBe(false);
    expect(sent.bytes).toBeLessThan(total);
  });

  it('fails a poll whose answer exceeds the cap', async () => {
    api.handle((req, res) => (req.method === 'POST' ? reply(res, 202, { operation_url: '/operations/1' }) : reply(res, 200, { status: 'x'.repeat(4096) })));
    const polling = cloudPlan.parse({ url: `${api.base}/repair`, auth: { secret_ref: 'cloud-token' }, poll: { interval_ms: 10 } });
    expect(await cloud({ responseCapBytes: 1024 }).execute(polling, await testContext())).toMatchObject({ status: 'failed', failureReason: 'playbook-bug' });
  });
});
