// /openapi.json passes a real validator and names its operations and problems; /docs serves the reference with
// local assets only; 201s carry Location, non-JSON bodies answer 415, 401s carry WWW-Authenticate.
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../http/docs-page.ts';
import { routeTable } from '../security/route-table.ts';
import { countRows, createTenantFixture, type TenantFixture } from '../security/tenant-fixtures.ts';
import { readJson, startTestPlatform, tenantAdmin, type TestPlatform } from '../support/platform.ts';

interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: Record<string, unknown> }> }>;
}

let platform: TestPlatform;
let fx: TenantFixture;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let document: any;
let operations: [string, Operation][];
beforeAll(async () => {
  platform = await startTestPlatform();
  fx = await createTenantFixture(platform, 'acme');
  document = await readJson(await fetch(`${platform.url}/openapi.json`));
  operations = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as [string, Operation]),
  );
});
afterAll(() => platform.close());

describe('/openapi.json', () => {
  it('passes the swagger-parser validator', async () => {
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
  });

  it('names every operation with a unique camelCase operationId', () => {
    const ids = operations.map(([, operation]) => operation.operationId);
    for (const [key, operation] of operations) expect(operation.operationId, key).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.paths['/api/servers'].post.operationId).toBe('createServer');
  });

  it('documents the 4xx problems of each operation under application/problem+json', () => {
    for (const [key, operation] of operations) {
      const statuses = Object.keys(operation.responses);
      const problems = statuses.filter((status) => status.startsWith('4'));
      for (const status of problems) expect(Object.keys(operation.responses[status]!.content ?? {}), `${key} ${status}`).toEqual(['application/problem+json']);
      if (operation.security) {
        expect(problems, key).toEqual(expect.arrayContaining(['401', '403']));
        expect(operation.responses['401']!.headers, key).toHaveProperty('WWW-Authenticate');
      }
      if (operation.requestBody) expect(problems, key).toEqual(expect.arrayContaining(['400', '413', '415']));
      if (statuses.includes('201')) expect(operation.responses['201']!.headers, key).toHaveProperty('Location');
    }
    const validation = document.paths['/api/servers'].post.responses['400'].content['application/problem+json'].schema;
    expect(document.components.schemas.ValidationProblem.required).toContain('errors');
    expect(validation.$ref).toBe('#/components/schemas/ValidationProblem');
    expect(document.paths['/api/servers/{id}'].patch.responses['409'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/ConflictProblem');
    expect(document.components.schemas.ConflictProblem.properties).toHaveProperty('current_version');
    expect(document.paths['/api/trust/registry/{vm_instance_id}/transition'].post.responses).toHaveProperty('422');
  });

  it('documents each stream as text/event-stream with its events, Last-Event-ID and cursor', () => {
    const streams = operations.filter(([, operation]) => operation.responses['200']?.content?.['text/event-stream']);
    expect(streams.map(([key]) => key).sort()).toEqual(['GET /api/console/lifecycle/stream', 'GET /api/servers/{id}/vm/logs/stream', 'GET /api/trust/registry/stream', 'GET /api/trust/remediation/stream', 'GET /api/trust/remediation/workspaces/{id}/stream']);
    for (const [key, operation] of streams) {
      const names = (operation.parameters ?? []).map((parameter) => `${parameter.in}:${parameter.name}`);
      expect(names, key).toEqual(expect.arrayContaining(['header:last-event-id', 'query:cursor']));
    }
    const frame = document.paths['/api/trust/registry/stream'].get.responses['200'].content['text/event-stream'].schema;
    const events = (frame.anyOf ?? frame.oneOf).flatMap((member: { properties: { event: { const?: string; enum?: string[] } } }) => member.properties.event.enum ?? [member.properties.event.const]);
    expect(events).toEqual(['trust.transition', 'reset']);
    expect(JSON.stringify(frame)).toContain('#/components/schemas/TrustTransitionEvent');
    const remediation = JSON.stringify(document.paths['/api/trust/remediation/stream'].get.responses['200'].content['text/event-stream'].schema);
    for (const name of ['run.created', 'run.succeeded', 'run.cancel-requested', 'log', 'reset']) expect(remediation).toContain(`"${name}"`);
    const workspace = JSON.stringify(document.paths['/api/trust/remediation/workspaces/{id}/stream'].get.responses['200'].content['text/event-stream'].schema);
    for (const name of ['workspace.created', 'gate.simulation', 'gate.stale', 'promotion.finished']) expect(workspace).toContain(`"${name}"`);
  });
});

describe('/docs', () => {
  it('answers HTML whose every asset is local and answers 200, under a self-only policy', async () => {
    const response = await fetch(`${platform.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(DOCS_CSP).not.toMatch(/https?:|\*/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>(?!<\/script>)|<style|\son[a-z]+=/i); // nothing inline: the policy forbids it
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/docs\/assets\//);
      const asset = await fetch(`${platform.url}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(0);
    }
    const init = await (await fetch(`${platform.url}/docs/assets/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('answers a 404 problem for an asset it does not serve', async () => {
    const response = await fetch(`${platform.url}/docs/assets/../../etc/passwd`);
    expect(response.status).toBe(404);
    expect((await fetch(`${platform.url}/docs/assets/index.html`)).status).toBe(404);
  });
});

describe('response headers', () => {
  const created = Object.entries(routeTable).filter(([, entry]) => entry.own === 201);

  it.each(created.map(([key]) => key))('%s answers 201 with a Location that reads back the resource', async (key) => {
    const [method] = key.split(' ');
    const { path, json } = routeTable[key]!.request(fx);
    const response = await platform.api(path, { method, json });
    expect(response.status).toBe(201);
    const location = response.headers.get('location');
    expect(location).toMatch(/^\/api\//);
    const read = await platform.api(location!);
    expect(read.status).toBe(200);
  });

  it('answers 201 with Location when reference measurements are first registered', async () => {
    const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'loc-refs', image: 'img:1' } })).json();
    const response = await platform.api(`/api/servers/${server.id}/reference-measurements`, { method: 'PUT', as: tenantAdmin(), json: { measurements: { pcr0: 'aa' } } });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/api/servers/${server.id}/reference-measurements`);
    expect((await platform.api(response.headers.get('location')!)).status).toBe(200);
  });

  it('answers 415 to a body that is not JSON, writing nothing', async () => {
    const before = await countRows(platform);
    for (const [type, body] of [['text/plain', '{"name":"x","image":"i"}'], ['application/x-www-form-urlencoded', 'name=x&image=i']] as const) {
      const response = await platform.api('/api/servers', { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 415, code: 'unsupported-media-type' });
    }
    expect(await countRows(platform)).toEqual(before);
    // No body at all is still an empty JSON object (here: a validation error naming the fields).
    expect((await platform.api('/api/servers', { method: 'POST' })).status).toBe(400);
  });

  it('answers 401 with WWW-Authenticate, naming invalid_token when one was refused', async () => {
    const anonymous = await fetch(`${platform.url}/api/servers`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="mcp-runtime"');
    const refused = await platform.api('/api/servers', { token: 'not-a-jwt' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="mcp-runtime", error="invalid_token"');
  });
});
