import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, TEST_JWT_SECRET, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

describe('mcpctl', () => {
  it('reports health', async () => {
    const result = await mcpctl(platform, ['health', '--json']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('creates a server, then lists it as JSON and as a table', async () => {
    const created = await mcpctl(platform, ['servers', 'create', '--name', 'search', '--image', 'ghcr.io/acme/search:1', '--json']);
    expect(created.exitCode).toBe(0);
    const server = JSON.parse(created.stdout);
    const listed = JSON.parse((await mcpctl(platform, ['servers', 'list', '--json'])).stdout);
    expect(listed.items.map((item: { id: number }) => item.id)).toContain(server.id);
    const table = (await mcpctl(platform, ['servers', 'list'])).stdout;
    expect(table).toMatch(/^ID\s+NAME\s+STATUS/);
    expect(table).toContain('search');
  });

  it('gets, updates and deletes with version tokens', async () => {
    const server = JSON.parse((await mcpctl(platform, ['servers', 'create', '--name', 'cycle', '--image', 'img:1', '--json'])).stdout);
    const got = JSON.parse((await mcpctl(platform, ['servers', 'get', String(server.id), '--json'])).stdout);
    expect(got.name).toBe('cycle');
    const updated = await mcpctl(platform, ['servers', 'update', String(server.id), '--version', '1', '--description', 'v2', '--json']);
    expect(JSON.parse(updated.stdout)).toMatchObject({ description: 'v2', version: 2 });
    const stale = await mcpctl(platform, ['servers', 'update', String(server.id), '--version', '1', '--description', 'v3']);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr.trim()).toBe(`version-conflict: server ${server.id} is at version 2, not 1`);
    expect((await mcpctl(platform, ['servers', 'delete', String(server.id), '--version', '2'])).stdout).toContain(`deleted server ${server.id}`);
  });

  it('prints problems as code: detail with a non-zero exit', async () => {
    const missing = await mcpctl(platform, ['servers', 'get', '999999']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.trim()).toBe('server-not-found: server 999999 does not exist');
    const invalid = await mcpctl(platform, ['servers', 'create', '--name', 'Bad!', '--image', 'x']);
    expect(invalid.stderr.trim()).toBe(
      'validation-failed: the request body has invalid fields (body.name: must be lowercase letters, digits and dashes (DNS label))',
    );
  });

  it('says so when the API is unreachable', async () => {
    const result = await mcpctl(undefined, ['servers', 'list'], { env: { MCPCTL_API_URL: 'http://127.0.0.1:1' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^api-unreachable: cannot reach http:\/\/127\.0\.0\.1:1/);
  });

  it('mints a token the API accepts, with the requested roles', async () => {
    const minted = await mcpctl(undefined, ['token', 'mint', '--owner', 'acme', '--roles', 'operator,approver'], { env: { JWT_SECRET: TEST_JWT_SECRET } });
    expect(minted.exitCode).toBe(0);
    const token = minted.stdout.trim();
    const response = await fetch(`${platform.url}/api/servers`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ owner: 'acme', roles: ['operator', 'approver'] });
  });

  it('refuses unknown roles', async () => {
    const result = await mcpctl(undefined, ['token', 'mint', '--owner', 'acme', '--roles', 'root']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('unknown role(s) root');
  });
});
