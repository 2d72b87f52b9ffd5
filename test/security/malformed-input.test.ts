// Hostile input on every route of /openapi.json: generated malformed bodies, ids and queries never answer 5xx and
// never write a row; 10,000 levels of nesting, invalid UTF-8, lone surrogates and oversized bodies are 4xx problems.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { routeTable } from './route-table.ts';
import { countRows, createTenantFixture, type TenantFixture } from './tenant-fixtures.ts';

let platform: TestPlatform;
let fx: TenantFixture;
let token: string;
/** The query parameters /openapi.json documents per route: a junk value for any of them is invalid. */
const queryParams: Record<string, string[]> = {};
beforeAll(async () => {
  platform = await startTestPlatform();
  fx = await createTenantFixture(platform, 'acme');
  const { paths } = (await (await fetch(`${platform.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      queryParams[`${method.toUpperCase()} ${path}`] = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    }
  }
  // Every tenant role, so that authorization never stops a request before validation does.
  token = await platform.token({ sub: 'fuzzer', roles: ['viewer', 'operator', 'approver', 'verifier', 'admin'] });
});
afterAll(() => platform.close());

const routes = Object.entries(routeTable).filter(([, entry]) => entry.roles !== 'public');
const bodyRoutes = routes.filter(([key]) => !key.startsWith('GET') && !key.startsWith('DELETE'));

async function send(method: string, path: string, body?: string | Buffer): Promise<{ status: number; type: string | null }> {
  const controller = new AbortController();
  const response = await fetch(`${platform.url}${path}`, {
    method,
    signal: controller.signal,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });
  const type = response.headers.get('content-type');
  controller.abort();
  return { status: response.status, type };
}

type Leaf = { path: (string | number)[]; value: unknown };
function leaves(value: unknown, path: (string | number)[] = []): Leaf[] {
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, Array.isArray(value) ? Number(key) : key]));
  return [{ path, value }];
}
function replaceAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<string | number, unknown>;
  copy[head!] = replaceAt(copy[head!], rest, value);
  return copy;
}

/** A value of another JSON type than `like`: never valid where `like` was. */
const wrongTyped = (like: unknown) =>
  fc.oneof(
    ...(typeof like === 'string' ? [] : [fc.string()]),
    ...(typeof like === 'number' ? [] : [fc.integer()]),
    ...(typeof like === 'boolean' ? [] : [fc.boolean()]),
    fc.constant(null),
    fc.array(fc.jsonValue(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
  );
const loneSurrogate = fc.string({ maxLength: 8 }).map((tail) => `\ud800${tail}`);
const notAnId = fc.oneof(
  fc.constantFrom('0', '-1', '1.5', '1e400', '99999999999999999999', 'NaN', 'null', '%00', "1'--", '1;DROP TABLE servers'),
  // '.' and '..' are dot segments the URL resolves away before anything is sent.
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !(Number.isInteger(Number(s)) && Number(s) > 0) && s !== '.' && s !== '..'),
);
const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
// An opening brace and anything that does not close it into JSON ('}' alone made `{}`, a valid body: seed 1675833718).
const notJson = fc.string({ maxLength: 40 }).map((s) => `{${s}`).filter((body) => !parses(body));
const notAnObject = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 4 }));

function malformedRequests(key: string): fc.Arbitrary<{ path: string; body?: string }> {
  const { path, json } = routeTable[key]!.request(fx);
  const withBody = (body: unknown) => ({ path, body: JSON.stringify(body) });
  const options: fc.Arbitrary<{ path: string; body?: string }>[] = [];
  // Each `{param}` segment of the documented path, in the real path, replaced by something that is not an id.
  const [pathOnly = '', search] = path.split('?');
  const paramSegments = key.split(' ')[1]!.split('/').flatMap((segment, index) => (segment.startsWith('{') ? [index] : []));
  for (const index of paramSegments) {
    const at = (id: string) => pathOnly.split('/').map((segment, i) => (i === index ? encodeURIComponent(id) : segment)).join('/') + (search ? `?${search}` : '');
    options.push(notAnId.map((id) => ({ path: at(id), ...(json === undefined ? {} : { body: JSON.stringify(json) }) })));
  }
  // access_token yields to the Authorization header, so a junk one is not even read.
  const queryNames = (queryParams[key] ?? []).filter((name) => name !== 'access_token');
  if (queryNames.length > 0) {
    const junk = fc.constantFrom('abc', '-1', '0.5', '1e400', '%00', '99999999999999999999');
    options.push(fc.tuple(fc.constantFrom(...queryNames), junk).map(([name, value]) => ({ path: `${path.replace(new RegExp(`[?&]${name}=[^&]*`), '')}${path.includes('?') ? '&' : '?'}${name}=${value}` })));
  }
  if (json !== undefined) {
    options.push(notAnObject.map(withBody), notJson.map((body) => ({ path, body })));
    const parts = leaves(json).filter((leaf) => leaf.path.length > 0);
    if (parts.length > 0) {
      options.push(fc.constantFrom(...parts).chain((leaf) => wrongTyped(leaf.value).map((value) => withBody(replaceAt(json, leaf.path, value)))));
      const strings = parts.filter((leaf) => typeof leaf.value === 'string');
      if (strings.length > 0) options.push(fc.constantFrom(...strings).chain((leaf) => loneSurrogate.map((value) => withBody(replaceAt(json, leaf.path, value)))));
    }
  }
  return fc.oneof(...options);
}

describe('generated malformed input on every route', () => {
  it.each(routes.map(([key]) => key))('%s answers 4xx problems and writes nothing', async (key) => {
    const [method] = key.split(' ');
    const before = await countRows(platform);
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(malformedRequests(key), async (request) => {
        const { status, type } = await send(method!, request.path, request.body);
        statuses.push(status);
        expect(status, `${method} ${request.path} ${request.body ?? ''}`).toBeGreaterThanOrEqual(400);
        expect(status, `${method} ${request.path} ${request.body ?? ''}`).toBeLessThan(500);
        expect(type).toContain('application/problem+json');
      }),
      { numRuns: 25 },
    );
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(await countRows(platform)).toEqual(before);
  });
});

describe('hostile bodies', () => {
  const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;

  it.each(bodyRoutes.map(([key]) => key))('%s answers 400 to 10,000 levels of nesting', async (key) => {
    const [method] = key.split(' ');
    const { path } = routeTable[key]!.request(fx);
    for (const body of [deepArray, deepObject]) {
      const response = await platform.api(path, { method, token, headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'bad-request', detail: 'the JSON body nests deeper than 32 levels' });
    }
  });

  it('answers 400 to invalid UTF-8 and to a lone surrogate in plan.command, writing nothing', async () => {
    const before = await countRows(platform);
    const invalid = Buffer.concat([Buffer.from('{"playbook_key":"k1","executor_type":"shell","plan":{"command":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    expect((await send('POST', '/api/trust/remediation/playbooks', invalid)).status).toBe(400);
    const surrogate = '{"playbook_key":"k2","executor_type":"shell","plan":{"command":"\\ud800"}}';
    const response = await platform.api('/api/trust/remediation/playbooks', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: surrogate });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([{ path: 'body.plan.command', code: 'invalid-string', message: 'must be valid Unicode (no lone surrogates)' }]);
    expect(await countRows(platform)).toEqual(before);
  });

  it('answers 413 to a body over HTTP_BODY_LIMIT_BYTES and 400 naming the field to an over-long array', async () => {
    const big = JSON.stringify({ name: 'big', image: 'x'.repeat(1_100_000) });
    expect((await send('POST', '/api/servers', big)).status).toBe(413);
    const response = await platform.api('/api/trust/remediation/playbooks', { method: 'POST', token, json: { playbook_key: 'k3', executor_type: 'shell', plan: { command: '/bin/true', args: Array(10_001).fill('a') } } });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0]).toMatchObject({ path: 'body.plan.args', code: 'too-many-items' });
  });
});
