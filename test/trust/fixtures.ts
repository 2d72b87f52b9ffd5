// Shared set-up for trust tests: a server with one registered VM instance, written through the real query modules.
import { insertServer } from '../../sql/servers.ts';
import type { Sql } from '../../sql/db.ts';
import { insertVmInstance } from '../../sql/vm-instances.ts';

let counter = 0;

export async function seedInstance(sql: Sql, ownerId = 'acme', freshnessSeconds = 3600): Promise<{ serverId: number; vmInstanceId: number }> {
  counter += 1;
  const name = `srv-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const server = await insertServer(sql, ownerId, { name, description: '', image: 'ghcr.io/acme/mcp:1', metadata: {} });
  const instance = await insertVmInstance(sql, {
    ownerId,
    serverId: server.id,
    driver: 'http',
    domainName: `dom-${name}`,
    memoryMib: 512,
    vcpuCount: 1,
    isolationTier: 'none',
    actor: 'test',
    freshnessSeconds,
  });
  return { serverId: server.id, vmInstanceId: instance.id };
}
