// Cross-tenant probes: with its own token, a tenant asks for every other tenant's run, its artifacts and stream,
// playbook, workspace and registry entry by id. Each must answer 404; each read is recorded as a `cross-read`. The tenant's own
// run list is read too, and every owner in it recorded, so bleed into a listing is seen.
import { operator } from './client.ts';
import { labelsOf, type ScenarioContext } from './context.ts';

export async function probeTenants(ctx: ScenarioContext, tenant: string, step: { run?: string | undefined; workspace?: string | undefined }): Promise<void> {
  const actor = operator(tenant);
  for (const other of ctx.scenario.tenants.filter((name) => name !== tenant)) {
    const theirs = labelsOf(ctx, other);
    const run = step.run === undefined ? undefined : theirs.runs.get(step.run);
    const workspace = step.workspace === undefined ? undefined : theirs.workspaces.get(step.workspace);
    const paths = [
      ...(workspace ? [`/api/trust/remediation/workspaces/${workspace.id}`, `/api/trust/registry/${workspace.instance_id}`] : []),
      ...(run ? [`/api/trust/remediation/runs/${run.id}`, `/api/trust/remediation/runs/${run.id}/artifacts`, `/api/trust/registry/${run.instance_id}`, `/api/trust/registry/${run.instance_id}/history`] : []),
      ...[...theirs.playbooks.values()].map((playbook) => `/api/trust/remediation/playbooks/${playbook.id}`),
    ];
    for (const path of paths) {
      await ctx.recorder.call(tenant, 'cross-read', { path, target_owner: other }, () => ctx.client.request(actor, 'GET', path), (body) => ({ owner_id: body?.owner_id ?? body?.registry?.owner_id ?? other }));
    }
    const streams = [...(run ? [`/api/trust/remediation/stream?run_id=${run.id}`] : []), ...(workspace ? [`/api/trust/remediation/workspaces/${workspace.id}/stream`] : [])];
    for (const path of streams) {
      await ctx.recorder.call(tenant, 'cross-read', { path, target_owner: other }, async () => {
        const response = await fetch(`${ctx.client.url}${path}`, { headers: { authorization: `Bearer ${await ctx.client.token(actor)}` }, signal: AbortSignal.timeout(5_000) });
        await response.body?.cancel();
        return { status: response.status, body: { owner_id: other } };
      }, (body) => ({ owner_id: body.owner_id }));
    }
  }
  await ctx.recorder.call(tenant, 'run-read', { list: true }, () => ctx.client.request(actor, 'GET', '/api/trust/remediation/runs?limit=200'), (body) => ({
    owners: [...new Set((body.items as { owner_id: string }[]).map((item) => item.owner_id))],
  }));
}
