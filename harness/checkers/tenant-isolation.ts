// Tenant isolation: no answer to one tenant carries another tenant's data, and every cross-tenant read is a 404
// (not a 403, which would confirm the resource exists).
import { pairOps } from '../history.ts';
import { fail, pass, unknown, type Checker } from './verdict.ts';

export const tenantIsolation: Checker = {
  name: 'tenant-isolation',
  kinds: ['cross-read'],
  check({ history }) {
    const ops = pairOps(history);
    for (const { invoke, done } of ops) {
      if (done?.type !== 'ok') continue;
      const owners = [done.value.owner_id, ...((done.value.owners as unknown[] | undefined) ?? [])].filter((owner) => owner !== undefined);
      const foreign = owners.find((owner) => owner !== invoke.tenant);
      if (foreign !== undefined) return fail(`op ${invoke.op} (${invoke.f}) of ${invoke.tenant} answered data of ${String(foreign)}`);
    }
    const probes = ops.filter((op) => op.invoke.f === 'cross-read' && (op.done?.type === 'ok' || op.done?.type === 'fail'));
    if (probes.length === 0) return unknown('no cross-tenant read was answered');
    for (const { invoke, done } of probes) {
      const target = `${String(invoke.value.path)} of ${String(invoke.value.target_owner)}`;
      if (done?.type === 'ok') return fail(`${invoke.tenant} read ${target}`);
      if (done?.value.status !== 404) return fail(`${invoke.tenant} reading ${target} got ${String(done?.value.status)}, not 404`);
    }
    return pass(`${probes.length} cross-tenant reads all answered 404`);
  },
};
