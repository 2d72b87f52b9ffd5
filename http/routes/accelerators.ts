// Accelerator posture per VM instance (the placement gate's accelerator check reads it) and build artifact runs per
// server (the lifecycle console's marketplace readiness). Owner-scoped: another owner's instance or server is 404.
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { acceleratorFixture, acceleratorPosture, buildArtifactBody, buildArtifactQuery, buildArtifactRun } from '../../core/schemas/accelerators.ts';
import { idParam, toPage } from '../../core/schemas/common.ts';
import { vmInstanceParam } from '../../core/schemas/trust.ts';
import { insertBuildArtifactRun, listBuildArtifactRuns } from '../../sql/build-artifact-runs.ts';
import { listAcceleratorPostureRows, upsertAcceleratorPosture } from '../../sql/remediation-accelerators.ts';
import { getServer } from '../../sql/servers.ts';
import { transact } from '../../sql/transact.ts';
import { getTrustRegistry } from '../../sql/trust-registry.ts';
import type { AppDeps } from '../deps.ts';
import { created, defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';

export function acceleratorRoutes({ sql, db }: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/trust/registry/:vm_instance_id/accelerators',
      operationId: 'listAcceleratorPosture',
      summary: 'Accelerator inventory posture of a VM instance (accelerator_id, kind, posture, policy feedback, metadata)',
      tag: 'trust',
      roles: readRoles,
      params: vmInstanceParam,
      responses: { 200: { description: 'Posture rows', schema: z.object({ items: z.array(acceleratorPosture) }) } },
      async handler(_ctx, { params, auth }) {
        await getTrustRegistry(sql, auth.owner, params.vm_instance_id);
        return { status: 200, body: { items: await listAcceleratorPostureRows(sql, auth.owner, params.vm_instance_id) } };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/trust/registry/:vm_instance_id/accelerators',
      operationId: 'putAcceleratorPosture',
      summary: "Record one accelerator's posture on a VM instance (insert or replace); a failing posture vetoes placement",
      tag: 'trust',
      roles: writeRoles,
      params: vmInstanceParam,
      body: acceleratorFixture,
      responses: { 200: { description: 'The recorded posture', schema: acceleratorPosture } },
      async handler(_ctx, { params, body, auth }) {
        const row = await transact(db, ({ tx }) => upsertAcceleratorPosture(tx, auth.owner, params.vm_instance_id, body));
        if (row === undefined) throw new AppError('vm-instance-not-found', `VM instance ${params.vm_instance_id} does not exist`);
        return { status: 200, body: row };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/build-artifacts',
      operationId: 'listBuildArtifactRuns',
      summary: "The server's build artifact runs, newest first (manifest digest, tag, registry image, status, timing)",
      tag: 'servers',
      roles: readRoles,
      params: idParam,
      query: buildArtifactQuery,
      responses: { 200: { description: 'A page of build artifact runs', schema: z.object({ items: z.array(buildArtifactRun), next_cursor: z.string().nullable() }) } },
      async handler(_ctx, { params, query, auth }) {
        await getServer(sql, auth.owner, params.id);
        const rows = await listBuildArtifactRuns(sql, auth.owner, params.id, { limit: query.limit, ...(query.cursor === undefined ? {} : { after: query.cursor }) });
        return { status: 200, body: toPage(rows, query.limit) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/servers/:id/build-artifacts',
      operationId: 'createBuildArtifactRun',
      summary: 'Record a build artifact run of the server (duration defaults to completed_at − started_at)',
      tag: 'servers',
      roles: writeRoles,
      params: idParam,
      body: buildArtifactBody,
      responses: { 201: { description: 'Recorded', schema: buildArtifactRun } },
      async handler(_ctx, { params, body, auth }) {
        const row = await transact(db, async (uow) => {
          const inserted = await insertBuildArtifactRun(uow.tx, auth.owner, params.id, body);
          // No stream event carries builds: mark the server for the console's marketplace readiness directly.
          if (inserted) uow.mark([{ owner_id: auth.owner, kind: 'server', subject_id: params.id }]);
          return inserted;
        });
        if (row === undefined) throw new AppError('server-not-found', `server ${params.id} does not exist`);
        return created(row, `/api/servers/${params.id}/build-artifacts`);
      },
    }),
  ];
}
