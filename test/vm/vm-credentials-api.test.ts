import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { vmView, waitFor } from './support.ts';
import { createTestDriver, type TestDriver } from './test-driver.ts';

const secret = 'correct-horse-battery';
let driver: TestDriver;
let platform: TestPlatform;
beforeAll(async () => {
  driver = await createTestDriver({ username: 'ops', password: secret });
  platform = await startTestPlatform({
    workers: ['vm-launch', 'sse-fanout'],
    env: { VM_PROVISIONER_DRIVER: 'libvirt', LIBVIRT_CONNECTION_URI: driver.uri, LIBVIRT_USERNAME: 'ops', LIBVIRT_PASSWORD: secret, LIBVIRT_CONSOLE_LOG_DIR: `${driver.dir}/console` },
  });
});
afterAll(async () => {
  await platform.close();
  await driver.cleanup();
});

describe('libvirt credentials through the API', () => {
  it('launches on a libvirt that demands credentials and keeps only a sanitized snapshot', async () => {
    const { id } = await (await platform.api('/api/servers', { method: 'POST', json: { name: 'authed', image: 'img:1' } })).json();
    await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: {} });
    const view = await waitFor(() => vmView(platform, id), (v) => v.server_status === 'running');
    expect(view.instance.credential_snapshot).toEqual({ username: 'ops', password: 'supplied' });
    expect(JSON.stringify(view)).not.toContain(secret);

    const [leaks] = await platform.db.sql`
      SELECT (SELECT count(*) FROM runtime_vm_instances WHERE to_jsonb(runtime_vm_instances)::text LIKE ${`%${secret}%`})::int
           + (SELECT count(*) FROM outbox WHERE to_jsonb(outbox)::text LIKE ${`%${secret}%`})::int
           + (SELECT count(*) FROM stream_events WHERE to_jsonb(stream_events)::text LIKE ${`%${secret}%`})::int AS count`;
    expect(leaks?.count).toBe(0);
  });
});
