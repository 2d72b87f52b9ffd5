// mcpctl console lifecycle and console watch on the real binary.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { apiRunIn } from './api-seed.ts';
import { seedInstance, seedPlaybook, seedRun, seedWorkspace } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['console-project'] });
});
afterAll(async () => platform?.close());

describe('mcpctl console', () => {
  it('lifecycle prints a row per workspace, and the page with --json', async () => {
    const workspace = await seedWorkspace(platform.db.sql, { key: 'cli-alpha' });
    await seedWorkspace(platform.db.sql, { key: 'cli-beta' });
    const { instanceId } = await seedInstance(platform.db.sql);
    const runId = await seedRun(platform.db.sql, { instanceId, playbookId: await seedPlaybook(platform.db.sql), workspaceKey: 'cli-alpha' });
    const table = await mcpctl(platform, ['console', 'lifecycle']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${workspace.id}\\s+cli-alpha\\s+draft\\s+1\\s+s:passed p:passed s:pending p:pending\\s+0\\s+1\\s+#${runId} succeeded\\s+pending/unknown`));
    expect(table.stdout).toMatch(/cli-beta/);
    const json = await mcpctl(platform, ['console', 'lifecycle', '--workspace-key', 'cli-alpha', '--json']);
    const page = JSON.parse(json.stdout);
    expect(page.workspaces.map((entry: { workspace: { workspace_key: string } }) => entry.workspace.workspace_key)).toEqual(['cli-alpha']);
    expect(page.workspaces[0].recent_runs[0].run.id).toBe(runId);
    const missing = await mcpctl(platform, ['console', 'lifecycle', '--workspace-key', 'nowhere']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^not-found: /);
  }, 60_000); // three runs of the real binary, each a node start-up

  it('watch --json prints NDJSON envelopes: the snapshot, its marker, then a delta for a change', async () => {
    await seedWorkspace(platform.db.sql, { key: 'cli-watch' });
    const watcher = execa(process.execPath, ['bin/mcpctl.js', 'console', 'watch', '--workspace-key', 'cli-watch', '--lifecycle-state', 'draft', '--json', '--count', '3'], {
      env: { MCPCTL_API_URL: platform.url, MCPCTL_TOKEN: await platform.token({ roles: ['viewer'] }) },
      extendEnv: false,
      reject: false,
    });
    const lines: string[] = [];
    let changed = false;
    watcher.stdout?.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      // Once the snapshot is complete, make the change the third event reports.
      if (!changed && lines.some((line) => line.includes('"snapshot-complete"'))) {
        changed = true;
        void apiRunIn(platform, 'acme', 'cli-watch');
      }
    });
    const result = await watcher;
    expect(result.exitCode).toBe(0);
    const events = lines.map((line) => JSON.parse(line)).filter((event) => event.event !== 'heartbeat');
    expect(events.map((event) => event.type)).toEqual(['snapshot', 'snapshot-complete', 'delta']);
    expect(events[1].id).toBe(events[1].cursor);
    expect(events[2].id).toBeGreaterThan(events[1].id);
    expect(events[2].delta.workspaces[0]).toMatchObject({ workspace_key: 'cli-watch', version_from: 1, version_to: 2 });
  });
});
