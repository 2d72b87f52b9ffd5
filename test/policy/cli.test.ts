import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { newServer as newPolicyServer } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());


async function newServer() {
  const { serverId, vm } = await newPolicyServer(platform, 'pcli');
  return { serverId: String(serverId), vm: String(vm) };
}

describe('mcpctl placement, accelerators and intelligence', () => {
  it('records a failing accelerator, shows the veto per check, overrides it, and lists the posture', async () => {
    const { serverId, vm } = await newServer();
    const set = await mcpctl(platform, ['trust', 'accelerators', 'set', vm, 'gpu-0', '--kind', 'nvidia-h100', '--posture', 'degraded', '--feedback', 'ecc-errors']);
    expect(set.exitCode).toBe(0);
    expect(set.stdout).toMatch(/posture\s+degraded/);
    const listed = await mcpctl(platform, ['trust', 'accelerators', 'list', vm]);
    expect(listed.stdout).toMatch(/^ACCELERATOR_ID\s+KIND\s+POSTURE/);
    expect(listed.stdout).toMatch(/gpu-0\s+nvidia-h100\s+degraded/);

    const blocked = await mcpctl(platform, ['placement', 'evaluate', serverId]);
    expect(blocked.exitCode).toBe(0);
    expect(blocked.stdout).toMatch(/outcome\s+blocked by accelerator-posture \(transient\)/);
    expect(blocked.stdout).toMatch(/accelerator-posture\s+veto\s+transient\s+0\s+accelerator gpu-0 \(nvidia-h100\) is degraded: ecc-errors/);
    expect(blocked.stdout).toMatch(/trust-lifecycle\s+allow/);

    const override = await mcpctl(platform, ['placement', 'override', serverId, '--check', 'accelerator-posture', '--reason', 'vendor patch', '--ttl', '600', '--json']);
    expect(JSON.parse(override.stdout)).toMatchObject({ check: 'accelerator-posture', actor: 'alice', active: true });
    const allowed = JSON.parse((await mcpctl(platform, ['placement', 'evaluate', serverId, '--json'])).stdout);
    expect(allowed).toMatchObject({ allow: true, overrides_applied: [JSON.parse(override.stdout).id] });
  });

  it('refuses to override a structural veto with code: detail on stderr and exit 1', async () => {
    const { serverId, vm } = await newServer();
    await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'quarantined' } });
    const refused = await mcpctl(platform, ['placement', 'override', serverId, '--check', 'trust-lifecycle', '--reason', 'ship it', '--ttl', '60']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^override-refused: the trust-lifecycle veto is structural/);
  });

  it('prints the intelligence score with its penalties as a table and as JSON', async () => {
    const { serverId } = await newServer();
    const table = await mcpctl(platform, ['servers', 'intelligence', serverId]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/score\s+80/);
    expect(table.stdout).toMatch(/CAUSE\s+POINTS\s+VM_INSTANCE_ID\s+DETAIL/);
    expect(table.stdout).toMatch(/lifecycle\s+-20\s+\d+\s+lifecycle pending/);
    const json = JSON.parse((await mcpctl(platform, ['servers', 'intelligence', serverId, '--json'])).stdout);
    expect(json).toMatchObject({ score: 80, penalties: [{ cause: 'lifecycle', points: 20 }] });
    const foreign = await mcpctl(platform, ['servers', 'intelligence', serverId], { as: { owner: 'globex' } });
    expect(foreign.exitCode).toBe(1);
    expect(foreign.stderr).toMatch(/^server-not-found: /);
  });
});
