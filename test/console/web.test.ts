// The web console in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): it loads, shows a
// run appear and change status live, approves a run as an approver (showing their email), says "reconnecting" while the API restarts
// and recovers without duplicates, and shows a tenant only its own workspaces.
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { freePort } from '../../harness/platform/free-port.ts';
import { apiCancel, apiInstance, apiPlaybook, apiWorkspace } from './api-seed.ts';

const SCREENSHOT = 'test-artifacts/console.png';

let platform: TestPlatform;
let browser: Browser;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['console-project'], env: { PORT: String(await freePort()) } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

async function open(claims: { owner: string; roles: ('viewer' | 'operator' | 'approver')[]; email?: string }): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${platform.url}/console#access_token=${await platform.token({ sub: 'carol', ...claims })}`);
  return page;
}

const stateOf = (page: Page) => page.locator('#state');
const runRow = (page: Page, id: number) => page.locator(`tr[data-run-id="${id}"]`);
const workspace = async (owner: string, key: string) => apiWorkspace(platform, { owner, key, playbookId: await apiPlaybook(platform, owner) });

async function gatedPlaybook(owner: string): Promise<number> {
  const response = await platform.api('/api/trust/remediation/playbooks', {
    method: 'POST',
    as: { owner },
    json: { playbook_key: `gated-${Math.random().toString(36).slice(2, 8)}`, executor_type: 'shell', approval_required: true, retry_limit: 0, timeout_seconds: 30, plan: { command: '/bin/true', args: [] } },
  });
  expect(response.status).toBe(201);
  return (await response.json()).id;
}

async function requestRun(owner: string, workspaceKey: string): Promise<{ id: number; version: number }> {
  const { instanceId } = await apiInstance(platform, owner);
  const response = await platform.api('/api/trust/remediation/runs', { method: 'POST', as: { owner }, json: { playbook_id: await gatedPlaybook(owner), vm_instance_id: instanceId, metadata: { workspace_key: workspaceKey } } });
  expect(response.status).toBe(201);
  return response.json();
}

describe('web console', () => {
  it('says empty for a tenant without workspaces, then shows a workspace and a run appear and change live', async () => {
    const page = await open({ owner: 'web', roles: ['viewer'] });
    await expect.poll(() => stateOf(page).getAttribute('data-state'), { timeout: 20_000 }).toBe('empty');
    await workspace('web', 'web-alpha');
    await expect.poll(() => page.locator('section.workspace h2').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('web-alpha')]);
    const run = await requestRun('web', 'web-alpha');
    await expect.poll(() => runRow(page, run.id).locator('.status').textContent(), { timeout: 20_000 }).toBe('pending');
    expect((await apiCancel(platform, run.id, { owner: 'web' })).status).toBe(200);
    await expect.poll(() => runRow(page, run.id).locator('.status').textContent(), { timeout: 20_000 }).toBe('cancelled');
    expect(await stateOf(page).getAttribute('data-state')).toBe('live');
    await page.close();
  });

  it('lets an approver approve a pending run and shows who did, and offers a viewer no button', async () => {
    await workspace('approvals', 'gated');
    const run = await requestRun('approvals', 'gated');
    const viewer = await open({ owner: 'approvals', roles: ['viewer'] });
    const page = await open({ owner: 'approvals', roles: ['approver'], email: 'carol@example.com' });
    await runRow(page, run.id).locator('button.approve').click({ timeout: 20_000 });
    await expect.poll(() => runRow(page, run.id).locator('.approval').textContent(), { timeout: 20_000 }).toBe('approved · approved by carol@example.com');
    const [row] = await platform.db.sql<{ approval_state: string; approved_by: string }[]>`SELECT approval_state, approved_by FROM runtime_vm_remediation_runs WHERE id = ${run.id}`;
    expect(row).toEqual({ approval_state: 'approved', approved_by: 'carol' });
    await expect.poll(() => runRow(viewer, run.id).locator('.approval').textContent(), { timeout: 20_000 }).toBe('approved · approved by carol@example.com');
    expect(await runRow(viewer, run.id).locator('button').count()).toBe(0);
    await viewer.close();
    await page.close();
  });

  it('shows reconnecting while the API restarts and recovers without duplicates', async () => {
    await workspace('restart', 'restart-ws');
    const page = await open({ owner: 'restart', roles: ['operator'] });
    const before = await requestRun('restart', 'restart-ws');
    await expect.poll(() => runRow(page, before.id).count(), { timeout: 20_000 }).toBe(1);
    await platform.stopApi();
    await expect.poll(() => stateOf(page).getAttribute('data-state'), { timeout: 20_000 }).toBe('reconnecting');
    await platform.startApi();
    const after = await requestRun('restart', 'restart-ws');
    await expect.poll(() => runRow(page, after.id).count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => stateOf(page).getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
    expect(await runRow(page, before.id).count()).toBe(1);
    expect(await page.locator('section.workspace').count()).toBe(1);
    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  it('shows a tenant only its own workspaces', async () => {
    await workspace('tenant-p', 'p-only');
    await workspace('tenant-q', 'q-only');
    const page = await open({ owner: 'tenant-q', roles: ['viewer'] });
    await expect.poll(() => page.locator('section.workspace h2').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('q-only')]);
    await requestRun('tenant-p', 'p-only');
    const mine = await requestRun('tenant-q', 'q-only');
    await expect.poll(() => runRow(page, mine.id).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('section.workspace').count()).toBe(1);
    await page.close();
  });
});
