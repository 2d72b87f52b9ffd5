import { appendFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { readEvents, vmView, waitFor } from './support.ts';
import { createTestDriver, type TestDriver } from './test-driver.ts';

let driver: TestDriver;
let platform: TestPlatform;
beforeAll(async () => {
  driver = await createTestDriver();
  platform = await startTestPlatform({
    workers: ['vm-launch', 'sse-fanout'],
    env: {
      VM_PROVISIONER_DRIVER: 'libvirt',
      LIBVIRT_CONNECTION_URI: driver.uri,
      LIBVIRT_CONSOLE_LOG_DIR: `${driver.dir}/console`,
      LIBVIRT_DEFAULT_MEMORY_MIB: '256',
      LIBVIRT_LOG_TAIL: '2',
    },
  });
});
afterAll(async () => {
  await platform.close();
  await driver.cleanup();
});

async function createServer(name: string, extra: Record<string, unknown> = {}, as?: { owner: string }): Promise<number> {
  const response = await platform.api('/api/servers', {
    method: 'POST',
    json: { name, image: 'ghcr.io/acme/mcp:1', ...extra },
    ...(as ? { as } : {}),
  });
  return (await response.json()).id;
}

async function launchAndWait(id: number) {
  expect((await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: {} })).status).toBe(202);
  return waitFor(
    () => vmView(platform, id),
    (view) => view.server_status === 'running' && view.instance?.status === 'running',
  );
}

describe('VM orchestration on the libvirt test driver', () => {
  it('launches through the job, records the instance and opens its trust entry', async () => {
    const id = await createServer('launch-me', { vcpu_count: 2 });
    const view = await launchAndWait(id);
    expect(view.instance).toMatchObject({
      driver: 'libvirt',
      memory_mib: 256,
      vcpu_count: 2,
      isolation_tier: 'none',
      credential_snapshot: { password: 'absent' },
    });
    expect(view.instance.domain_name).toMatch(new RegExp(`^mcp-${id}-[0-9a-f]{10}$`));
    expect(view.trust).toMatchObject({
      lifecycle_state: 'pending',
      lifecycle_badge: { label: 'pending', tone: 'neutral' },
      remediation_attempts: 0,
      stale: false,
    });
    expect(view.placement_notes).toEqual(['vm:trust-lifecycle=none', 'policy_hook:remediation_gate=clear']);
    const [row] = await platform.db.sql`SELECT count(*)::int AS count FROM runtime_vm_trust_registry WHERE server_id = ${id}`;
    expect(row?.count).toBe(1);
  });

  it('runs exactly one VM when two launches race', async () => {
    const id = await createServer('raced');
    const accepted = await Promise.all(
      [1, 2].map(async () => (await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: {} })).json()),
    );
    const queue = platform.clients.queues.get('vm-launch');
    const outcomes = await waitFor(
      () => Promise.all(accepted.map(async ({ job_id }) => (await queue.getJob(job_id))?.returnvalue as { outcome: string } | undefined)),
      (values) => values.every((value) => value !== undefined && value !== null),
    );
    expect(outcomes.filter((value) => value?.outcome === 'launched')).toHaveLength(1);
    const rows = await platform.db
      .sql`SELECT count(*)::int AS count FROM runtime_vm_instances WHERE server_id = ${id} AND terminated_at IS NULL`;
    expect(rows[0]?.count).toBe(1);
    expect((await vmView(platform, id)).server_status).toBe('running');
  });

  it('stops the VM and terminates the instance', async () => {
    const id = await createServer('stop-me');
    await launchAndWait(id);
    expect((await platform.api(`/api/servers/${id}/vm/stop`, { method: 'POST', json: {} })).status).toBe(202);
    const view = await waitFor(
      () => vmView(platform, id),
      (v) => v.server_status === 'stopped',
    );
    expect(view.instance).toMatchObject({ status: 'stopped' });
    expect(view.instance.terminated_at).not.toBeNull();
  });

  it('blocks launching a quarantined instance into pending-remediation with notes saying why', async () => {
    const id = await createServer('quarantined');
    await launchAndWait(id);
    await platform.db
      .sql`UPDATE runtime_vm_trust_registry SET lifecycle_state = 'quarantined', attestation_status = 'untrusted', remediation_attempts = 3 WHERE server_id = ${id}`;
    await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: {} });
    const view = await waitFor(
      () => vmView(platform, id),
      (v) => v.server_status === 'pending-remediation',
    );
    expect(view.placement_notes).toEqual(
      expect.arrayContaining([
        'vm:trust-lifecycle=quarantined',
        'vm:trust-remediation-attempts=3',
        'policy_hook:remediation_gate=quarantined',
      ]),
    );
    expect(view.trust.lifecycle_badge).toEqual({ label: 'quarantined', tone: 'danger' });
    const [row] = await platform.db.sql`SELECT count(*)::int AS count FROM runtime_vm_instances WHERE server_id = ${id}`;
    expect(row?.count).toBe(1);
  });

  it('blocks a relaunch whose remediation window is stale into pending-attestation', async () => {
    const id = await createServer('stale');
    await launchAndWait(id);
    await platform.api(`/api/servers/${id}/vm/stop`, { method: 'POST', json: {} });
    await waitFor(
      () => vmView(platform, id),
      (v) => v.server_status === 'stopped',
    );
    await platform.db.sql`
      UPDATE runtime_vm_trust_registry SET lifecycle_state = 'suspect', remediation_state = 'automation-failed', freshness_deadline = now() - interval '1 hour'
      WHERE server_id = ${id}`;
    await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: {} });
    const view = await waitFor(
      () => vmView(platform, id),
      (v) => v.server_status === 'pending-attestation',
    );
    expect(view.placement_notes).toEqual(
      expect.arrayContaining(['vm:trust-lifecycle=suspect', 'policy_hook:remediation_gate=stale-window']),
    );
    expect(view.placement_notes.some((note: string) => note.startsWith('vm:trust-freshness=stale:'))).toBe(true);
    expect(view.trust.stale).toBe(true);
  });

  it('tails and streams the console log', async () => {
    const id = await createServer('console');
    const view = await launchAndWait(id);
    const [instance] = await platform.db.sql`SELECT console_log_path FROM runtime_vm_instances WHERE id = ${view.instance.id}`;
    const path = String(instance?.console_log_path);
    await appendFile(path, 'boot 1\r\nboot 2\r\nboot 3\r\n');
    const tail = await (await platform.api(`/api/servers/${id}/vm/logs?tail=2`)).json();
    expect(tail).toEqual({ server_id: id, domain_name: view.instance.domain_name, lines: ['boot 2', 'boot 3'], cursor: '24' });

    // The tail's cursor is where the stream follows on, with no gap and no repeat.
    const stream = await platform.api(`/api/servers/${id}/vm/logs/stream`, { headers: { 'last-event-id': tail.cursor } });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    await appendFile(path, 'live 1\nlive 2\n');
    const received = await readEvents(stream, 2);
    expect(received.map((event) => (event.data as { line: string }).line)).toEqual(['live 1', 'live 2']);
    expect(Number(received[1]?.id)).toBeGreaterThan(Number(received[0]?.id));
  });

  it('tails LIBVIRT_LOG_TAIL lines by default and answers 400 for a tail out of bounds', async () => {
    const id = await createServer('tail-bounds');
    const view = await launchAndWait(id);
    const [instance] = await platform.db.sql`SELECT console_log_path FROM runtime_vm_instances WHERE id = ${view.instance.id}`;
    await appendFile(String(instance?.console_log_path), 'a\nb\nc\n');
    expect((await (await platform.api(`/api/servers/${id}/vm/logs`)).json()).lines).toEqual(['b', 'c']);
    for (const tail of ['0', '100001', 'abc', '1.5', '']) {
      const response = await platform.api(`/api/servers/${id}/vm/logs?tail=${tail}`);
      expect(response.status).toBe(400);
      expect((await response.json()).errors.map((error: { path: string }) => error.path)).toEqual(['query.tail']);
    }
  });

  it('answers 400 for a bad body and 409 for a stale version, writing nothing', async () => {
    const id = await createServer('guarded');
    const bad = await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: { version: 'one', force: true } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.map((error: { path: string }) => error.path).sort()).toEqual(['body', 'body.version']);
    const stale = await platform.api(`/api/servers/${id}/vm/launch`, { method: 'POST', json: { version: 9 } });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: 'version-conflict', current_version: 1 });
    const [row] = await platform.db
      .sql`SELECT count(*)::int AS count FROM outbox WHERE queue = 'vm-launch' AND payload->>'server_id' = ${String(id)}`;
    expect(row?.count).toBe(0);
  });

  it("answers 404 for another owner's server on every VM route", async () => {
    const id = await createServer('private-vm', {}, { owner: 'tenant-a' });
    const asB = { as: { owner: 'tenant-b' } };
    for (const action of ['launch', 'stop']) {
      expect((await platform.api(`/api/servers/${id}/vm/${action}`, { method: 'POST', json: {}, ...asB })).status).toBe(404);
    }
    for (const path of ['vm', 'vm/logs', 'vm/logs/stream'])
      expect((await platform.api(`/api/servers/${id}/${path}`, asB)).status).toBe(404);
  });
});
