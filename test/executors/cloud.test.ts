import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideRetry } from '../../core/failure-taxonomy.ts';
import { cloudPlan } from '../../core/remediation-plan.ts';
import { createCloudExecutor } from '../../executors/remediation/cloud.ts';
import { createSecretResolver, secretEnvName } from '../../executors/remediation/secrets.ts';
import { reply, startFakeApi, type FakeApi } from './cloud-server.ts';
import { testContext } from './context.ts';

let api: FakeApi;
let base: string;
let received: FakeApi['received'];
let handler: Parameters<FakeApi['handle']>[0] = () => {};

beforeAll(async () => {
  api = await startFakeApi();
  ({ base, received } = api);
  api.handle((req, res) => handler(req, res));
});
afterAll(() => api.close());

// The fake API listens on loopback, which a worker allows only with REMEDIATION_CLOUD_ALLOW_LOOPBACK.
const cloud = createCloudExecutor({ resolveSecret: createSecretResolver({ env: { [secretEnvName('owner-a', 'cloud-token')]: 's3cret-value' } }), allowLoopback: true });
const plan = (extra: Record<string, unknown> = {}) =>
  cloudPlan.parse({ url: `${base}/instances/{{vm_instance_id}}/repair`, body: { run: '{{run_id}}' }, auth: { secret_ref: 'cloud-token' }, ...extra });

describe('cloud API executor (loopback fake)', () => {
  it('succeeds after polling the operation, with the secret only in the auth header', async () => {
    received.length = 0;
    let polls = 0;
    handler = (req, res) => (req.method === 'POST' ? reply(res, 202, { operation_url: '/operations/9' }) : reply(res, 200, { status: ++polls < 3 ? 'running' : 'done' }));
    const context = await testContext();
    const result = await cloud.execute(plan({ poll: { interval_ms: 10 } }), context);
    expect(result).toMatchObject({ status: 'succeeded', outputs: { operation: { status: 'done' } } });
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /instances/7/repair', 'GET /operations/9', 'GET /operations/9', 'GET /operations/9']);
    expect(received[0]?.headers.authorization).toBe('Bearer s3cret-value');
    expect(received[0]?.headers['idempotency-key']).toBe('run-1-attempt-1');
    expect(JSON.stringify(context.logs)).not.toContain('s3cret-value');
  });

  it('keeps the secret out of outputs and logs when the API echoes the request back', async () => {
    handler = (req, res) => reply(res, 200, { echoed: { authorization: req.headers.authorization }, note: `token ${req.headers.authorization}` });
    const context = await testContext();
    const result = await cloud.execute(plan(), context);
    expect(result.status).toBe('succeeded');
    expect(JSON.stringify(result)).not.toContain('s3cret-value');
    expect(result.outputs).toEqual({ response: { echoed: { authorization: 'Bearer [redacted]' }, note: 'token Bearer [redacted]' } });
    expect(JSON.stringify(context.logs)).not.toContain('s3cret-value');
  });

  it('keeps the secret out when the API echoes it encoded: base64 (alone or inside a longer blob), base64url, hex, URL-encoded', async () => {
    const header = (req: { headers: Record<string, unknown> }) => String(req.headers.authorization);
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    handler = (req, res) =>
      reply(res, 400, {
        basic: b64(header(req)),
        secret: b64('s3cret-value'),
        url: Buffer.from('s3cret-value').toString('base64url'),
        hex: Buffer.from('s3cret-value').toString('hex'),
        escaped: encodeURIComponent(`token=${header(req)}`),
        // The whole request, encoded at once: the secret sits at every alignment of the base64 groups.
        blobs: ['', 'x', 'xy'].map((pad) => b64(`${pad}{"authorization":"${header(req)}"}`)),
      });
    const context = await testContext();
    const result = await cloud.execute(plan(), context);
    expect(result.status).toBe('failed');
    const recorded = JSON.stringify({ result, logs: context.logs });
    const forms = ['s3cret-value', b64('s3cret-value'), Buffer.from('s3cret-value').toString('hex'), encodeURIComponent('s3cret-value')];
    expect(forms.filter((form) => recorded.includes(form))).toEqual([]);
    for (const pad of ['', 'x', 'xy']) {
      const decoded = Buffer.from(b64(`${pad}{"authorization":"Bearer s3cret-value"}`), 'base64').toString();
      expect(decoded).toContain('s3cret-value');
      // Whatever survives of the blob must not decode back to the secret, at any alignment.
      for (const blob of recorded.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []) {
        for (const skip of [0, 1, 2, 3]) expect(Buffer.from(blob.slice(skip), 'base64').toString('latin1')).not.toContain('s3cret-value');
      }
    }
  });

  it('treats 503 as transient and succeeds on the next attempt with a new idempotency key', async () => {
    received.length = 0;
    let calls = 0;
    handler = (_req, res) => reply(res, ++calls === 1 ? 503 : 200, { ok: true });
    const first = await cloud.execute(plan(), await testContext());
    expect(first).toMatchObject({ status: 'failed', failureReason: 'dependency-outage', exitCode: 503 });
    const decision = decideRetry({ reason: first.failureReason!, attempt: 1, retryLimit: 2 });
    expect(decision.retry).toBe(true);
    const second = await cloud.execute(plan(), await testContext({ attempt: 2, idempotencyKey: 'run-1-attempt-2' }));
    expect(second.status).toBe('succeeded');
    expect(received.map((r) => r.headers['idempotency-key'])).toEqual(['run-1-attempt-1', 'run-1-attempt-2']);
  });

  it.each([
    [400, 'playbook-bug', 'structural'],
    [404, 'playbook-bug', 'structural'],
    [403, 'policy-denied', 'structural'],
    [429, 'dependency-outage', 'transient'],
    [500, 'dependency-outage', 'transient'],
  ])('classifies HTTP %i as %s', async (status, reason) => {
    handler = (_req, res) => reply(res, status, { error: 'nope' });
    expect(await cloud.execute(plan(), await testContext())).toMatchObject({ status: 'failed', failureReason: reason, exitCode: status });
  });

  it('answers timeout when the API does not answer in time', async () => {
    handler = () => {};
    expect(await cloud.execute(plan({ request_timeout_ms: 100 }), await testContext())).toMatchObject({ status: 'failed', failureReason: 'timeout' });
  });

  it('stops polling when cancelled', async () => {
    const controller = new AbortController();
    handler = (req, res) => {
      if (req.method === 'GET') controller.abort();
      reply(res, 202, req.method === 'POST' ? { operation_url: '/operations/1' } : { status: 'running' });
    };
    const result = await cloud.execute(plan({ poll: { interval_ms: 10 } }), await testContext({ signal: controller.signal }));
    expect(result).toMatchObject({ status: 'cancelled', failureReason: 'cancelled' });
  });

  it('refuses plain http to a non-loopback host, for the plan URL and for an operation URL the API returns', async () => {
    received.length = 0;
    const stored = { ...plan(), url: 'http://api.example/instances/{{vm_instance_id}}' };
    expect(await cloud.execute(stored, await testContext())).toMatchObject({ status: 'failed', failureReason: 'policy-denied' });
    handler = (_req, res) => reply(res, 202, { operation_url: 'http://api.example/operations/1' });
    expect(await cloud.execute(plan({ poll: { interval_ms: 10 } }), await testContext())).toMatchObject({ status: 'failed', failureReason: 'policy-denied' });
    expect(received.map((r) => r.method)).toEqual(['POST']);
  });

  it('refuses with policy-denied when the owner has no such secret', async () => {
    const bare = createCloudExecutor({ resolveSecret: createSecretResolver({ env: {} }), allowLoopback: true });
    expect(await bare.execute(plan(), await testContext())).toMatchObject({ status: 'failed', failureReason: 'policy-denied' });
  });
});
