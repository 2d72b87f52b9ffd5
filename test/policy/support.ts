// Fixture for policy tests: a server with one registered VM instance (lifecycle pending), through the API.
import type { TestPlatform } from '../support/platform.ts';

let seq = 0;
export async function newServer(platform: TestPlatform, prefix = 'policy'): Promise<{ serverId: number; vm: number }> {
  seq += 1;
  const name = `${prefix}-${process.pid}-${seq}`;
  const server = await (await platform.api('/api/servers', { method: 'POST', json: { name, image: 'img:1' } })).json();
  const { instance } = await (await platform.api(`/api/servers/${server.id}/vm-instances`, { method: 'POST', json: { domain_name: name } })).json();
  return { serverId: server.id as number, vm: instance.id as number };
}
