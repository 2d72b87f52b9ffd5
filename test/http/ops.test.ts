import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../http/app.ts';
import { createStreamHub } from '../../http/stream-hub.ts';
import { allRoutes } from '../../http/surfaces.ts';
import { queueNames } from '../../queues/catalog.ts';
import { createRedis } from '../../queues/redis.ts';
import { REDIS_URL } from '../support/env.ts';
import { readJson, startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

describe('operations endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${platform.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${platform.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('answers /readyz 503 naming the dependency that is down', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1');
    deadRedis.on('error', () => {});
    const subscriber = createRedis(REDIS_URL, 'subscriber');
    const hub = await createStreamHub({ sql: platform.db.sql, subscriber, prefix: 'unused', logger: pino({ level: 'silent' }), sweepMs: 60_000, maxBufferedBytes: 1 << 20 });
    const server = createApp({ ...platform.clients, redis: deadRedis, hub }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable', checks: { postgres: 'ok' } });
    } finally {
      server.close();
      await hub.close();
      subscriber.disconnect();
      deadRedis.disconnect();
    }
  });

  it('documents every route in /openapi.json', async () => {
    const document = await readJson(await fetch(`${platform.url}/openapi.json`));
    const routes = allRoutes({ ...platform.clients, hub: undefined as never });
    for (const route of routes) {
      const path = route.path.replace(/:([a-zA-Z_]+)/g, '{$1}');
      expect(document.paths[path]?.[route.method], `${route.method} ${path}`).toBeDefined();
    }
    expect(document.paths['/api/servers'].post.requestBody).toBeDefined();
  });

  it('exposes Prometheus metrics with HTTP and queue series', async () => {
    await fetch(`${platform.url}/healthz`);
    const text = await (await fetch(`${platform.url}/metrics`)).text();
    expect(text).toContain('mcp_http_requests_total{method="GET",route="/healthz",status="200"}');
    expect(text).toMatch(/mcp_queue_jobs\{queue="sse-fanout",state="waiting"\} 0/);
  });

  it('answers unknown paths with a 404 problem', async () => {
    const response = await fetch(`${platform.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'not-found', status: 404 });
  });

  it('echoes a sane X-Request-Id and puts it in problems', async () => {
    const response = await fetch(`${platform.url}/api/servers`, { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect((await readJson(response)).requestId).toBe('trace-123');
  });
});

describe('Bull Board', () => {
  it('lists every queue for a platform administrator', async () => {
    const response = await platform.api('/admin/queues/api/queues', { token: await platform.platformToken() });
    expect(response.status).toBe(200);
    const names = (await response.json()).queues.map((queue: { name: string }) => queue.name);
    expect(names.sort()).toEqual([...queueNames].sort());
  });

  it('serves the UI to a browser that brings ?access_token= and keeps it in a cookie', async () => {
    const token = await platform.platformToken();
    const response = await fetch(`${platform.url}/admin/queues?access_token=${token}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html');
    expect(response.headers.get('set-cookie')).toContain('mcp_token=');
  });

  it('refuses tenant tokens, tenant admin included (403), and anonymous callers (401)', async () => {
    expect((await platform.api('/admin/queues/api/queues')).status).toBe(403);
    expect((await platform.api('/admin/queues/api/queues', { as: { roles: ['admin', 'operator', 'approver', 'verifier'] } })).status).toBe(403);
    expect((await fetch(`${platform.url}/admin/queues`)).status).toBe(401);
  });
});
