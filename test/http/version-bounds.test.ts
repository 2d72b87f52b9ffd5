// A version token beyond Postgres's integer column is the client's mistake: 400 naming the field, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let serverId: number;
let playbookId: number;
beforeAll(async () => {
  platform = await startTestPlatform();
  serverId = (await (await platform.api('/api/servers', { method: 'POST', json: { name: 'bounds', image: 'img:1' } })).json()).id;
  const playbook = await platform.api('/api/trust/remediation/playbooks', {
    method: 'POST',
    json: { playbook_key: 'bounds', executor_type: 'shell', plan: { command: 'true' } },
  });
  playbookId = (await playbook.json()).id;
});
afterAll(() => platform.close());

describe('version tokens beyond the integer column', () => {
  it.each([
    ['DELETE', () => `/api/trust/remediation/playbooks/${playbookId}?version=3000000000`, undefined, 'query.version'],
    ['POST', () => `/api/servers/${serverId}/vm/launch`, { version: 3_000_000_000 }, 'body.version'],
  ])('%s %s answers 400 on the version', async (method, path, json, field) => {
    const response = await platform.api(path(), { method, ...(json === undefined ? {} : { json }) });
    expect(response.status).toBe(400);
    expect((await response.json()).errors.map((error: { path: string }) => error.path)).toContain(field);
  });
});
