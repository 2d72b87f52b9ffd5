// The hypervisor domain names the platform gives a server's VMs, and whether an instance row names one of them.
// Instances can also be registered through the API under any name; the hypervisor is only ever asked about (or
// told to stop) a domain this platform launched for that very server, so a registered name cannot reach another
// tenant's VM or a machine the platform does not manage.
import { createHash } from 'node:crypto';

/** `mcp-<server id>-<10 hex of the request id>`: derived from the request, so a re-run launches the same domain. */
export function domainNameFor(serverId: number, requestId: string): string {
  return `mcp-${serverId}-${createHash('sha256').update(requestId).digest('hex').slice(0, 10)}`;
}

/** True when `instance` is a domain the platform launched for server `serverId` with the provisioner `driver`. */
export function isLaunchedDomain(serverId: number, driver: string, instance: { driver: string; domain_name: string }): boolean {
  return instance.driver === driver && /^mcp-\d+-[0-9a-f]{10}$/.test(instance.domain_name) && instance.domain_name.startsWith(`mcp-${serverId}-`);
}
