import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createPlaybook, shellPlaybook } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

const path = '/api/trust/remediation/playbooks';

describe('remediation playbooks', () => {
  it('creates a playbook and reads it back with its catalog metadata', async () => {
    const created = await createPlaybook(platform, shellPlaybook('restart-agent', 'echo ok', { sla_duration_seconds: 600 }));
    const body = await (await platform.api(`${path}/${created.id}`)).json();
    expect(body).toMatchObject({ playbook_key: 'restart-agent', executor_type: 'shell', sla_duration_seconds: 600, version: 1, remediation_surface: 'playbook-catalog' });
    expect(body.plan).toEqual({ command: '/bin/sh', args: ['-c', 'echo ok'], env: {}, network: 'none' });
  });

  it('answers 400 for a plan that does not fit the executor type and writes nothing', async () => {
    const response = await platform.api(path, { method: 'POST', json: { playbook_key: 'bad', executor_type: 'cloud', plan: { url: 'ftp://x' } } });
    expect(response.status).toBe(400);
    const problem = await response.json();
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain('body.plan.url');
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_playbooks WHERE playbook_key = 'bad'`;
    expect(row?.n).toBe(0);
  });

  it.each([
    ['http://api.example/x', 400],
    ['http://127.0.0.1@api.example/x', 400],
    ['http://localhost.api.example/x', 400],
    ['https://api.example/{{vm_instance_id}}', 201],
    ['http://127.0.0.1:9/x', 201],
    ['http://localhost/x', 201],
    ['http://[::1]:8080/x', 201],
  ])('accepts a cloud URL %s only over https or to loopback (%i)', async (url, status) => {
    const key = `url-${Math.random().toString(36).slice(2, 8)}`;
    const response = await platform.api(path, { method: 'POST', json: { playbook_key: key, executor_type: 'cloud', plan: { url } } });
    expect(response.status).toBe(status);
    if (status === 400) expect((await response.json()).errors.map((e: { path: string }) => e.path)).toContain('body.plan.url');
  });

  it('refuses a plain-http cloud URL on update too', async () => {
    const { id } = await createPlaybook(platform, { playbook_key: 'cloud-edit', executor_type: 'cloud', plan: { url: 'https://api.example/x' } });
    const response = await platform.api(`${path}/${id}`, { method: 'PATCH', json: { version: 1, plan: { url: 'http://api.example/x' } } });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].path).toBe('body.plan.url');
  });

  it.each([
    ['/etc', 400],
    ['../other-run', 400],
    ['scripts/../../..', 400],
    ['/tmp/mcp-runtime/remediation/shared', 400],
    ['scripts', 201],
  ])('confines a shell plan cwd %s to the attempt directory (%i)', async (cwd, status) => {
    const key = `cwd-${Math.random().toString(36).slice(2, 8)}`;
    const response = await platform.api(path, { method: 'POST', json: { ...shellPlaybook(key, 'pwd'), plan: { command: '/bin/sh', args: ['-c', 'pwd'], cwd } } });
    expect(response.status).toBe(status);
    if (status === 400) expect((await response.json()).errors).toEqual([expect.objectContaining({ path: 'body.plan.cwd', code: 'cwd-outside-workdir' })]);
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_playbooks WHERE playbook_key = ${key}`;
    expect(row?.n).toBe(status === 201 ? 1 : 0);
  });

  it.each([
    ['/etc/ansible/site.yml', 400],
    ['../site.yml', 400],
    ['roles/../../site.yml', 400],
    ['site/fix.yml', 201],
  ])('names an Ansible playbook_path %s relative to the playbook root, never a host path (%i)', async (playbookPath, status) => {
    const key = `path-${Math.random().toString(36).slice(2, 8)}`;
    const response = await platform.api(path, { method: 'POST', json: { playbook_key: key, executor_type: 'ansible', plan: { playbook_path: playbookPath } } });
    expect(response.status).toBe(status);
    if (status === 400) expect((await response.json()).errors.map((e: { path: string }) => e.path)).toContain('body.plan.playbook_path');
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_playbooks WHERE playbook_key = ${key}`;
    expect(row?.n).toBe(status === 201 ? 1 : 0);
  });

  it('refuses an escaping shell cwd on update and keeps the old plan', async () => {
    const { id } = await createPlaybook(platform, shellPlaybook('cwd-edit', 'true'));
    const response = await platform.api(`${path}/${id}`, { method: 'PATCH', json: { version: 1, plan: { command: 'true', cwd: '/' } } });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].path).toBe('body.plan.cwd');
    expect((await (await platform.api(`${path}/${id}`)).json()).version).toBe(1);
  });

  it('refuses a secret value where a secret reference belongs', async () => {
    const plan = { url: 'https://api.example/x', auth: { secret_ref: 'Bearer abc def' } };
    const response = await platform.api(path, { method: 'POST', json: { playbook_key: 'leaky', executor_type: 'cloud', plan } });
    expect(response.status).toBe(400);
  });

  it('refuses a credential in plain plan headers and writes nothing', async () => {
    const plan = { url: 'https://api.example/x', headers: { Authorization: 'Bearer abc' } };
    const response = await platform.api(path, { method: 'POST', json: { playbook_key: 'header-secret', executor_type: 'cloud', plan } });
    expect(response.status).toBe(400);
    expect((await response.json()).errors.map((e: { path: string }) => e.path)).toContain('body.plan.headers');
    const [row] = await platform.db.sql`SELECT count(*)::int AS n FROM runtime_vm_remediation_playbooks WHERE playbook_key = 'header-secret'`;
    expect(row?.n).toBe(0);
  });

  it('answers 409 for a duplicate key', async () => {
    await createPlaybook(platform, shellPlaybook('dup', 'true'));
    const again = await platform.api(path, { method: 'POST', json: shellPlaybook('dup', 'true') });
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('already-exists');
  });

  it('updates with the version read and answers 409 with the current version when stale', async () => {
    const { id } = await createPlaybook(platform, shellPlaybook('edit-me', 'true'));
    const ok = await platform.api(`${path}/${id}`, { method: 'PATCH', json: { version: 1, retry_limit: 5 } });
    expect(await ok.json()).toMatchObject({ retry_limit: 5, version: 2 });
    const stale = await platform.api(`${path}/${id}`, { method: 'PATCH', json: { version: 1, retry_limit: 6 } });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: 'version-conflict', current_version: 2 });
  });

  it('validates a new plan against the stored executor type', async () => {
    const { id } = await createPlaybook(platform, shellPlaybook('typed', 'true'));
    const response = await platform.api(`${path}/${id}`, { method: 'PATCH', json: { version: 1, plan: { url: 'https://x' } } });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].path).toMatch(/^body\.plan/);
  });

  it('deletes with a version guard and lists only live playbooks', async () => {
    const { id } = await createPlaybook(platform, shellPlaybook('doomed', 'true'), 'deleter');
    expect((await platform.api(`${path}/${id}?version=9`, { method: 'DELETE', as: { owner: 'deleter' } })).status).toBe(409);
    expect((await platform.api(`${path}/${id}?version=1`, { method: 'DELETE', as: { owner: 'deleter' } })).status).toBe(204);
    const list = await (await platform.api(path, { as: { owner: 'deleter' } })).json();
    expect(list.items).toEqual([]);
  });

  it('answers 404 for another owner on every route', async () => {
    const { id } = await createPlaybook(platform, shellPlaybook('private', 'true'), 'tenant-a');
    const asB = { as: { owner: 'tenant-b' } };
    expect((await platform.api(`${path}/${id}`, asB)).status).toBe(404);
    expect((await platform.api(`${path}/${id}`, { method: 'PATCH', json: { version: 1, retry_limit: 1 }, ...asB })).status).toBe(404);
    expect((await platform.api(`${path}/${id}`, { method: 'DELETE', ...asB })).status).toBe(404);
    expect((await (await platform.api(path, asB)).json()).items).toEqual([]);
  });
});
