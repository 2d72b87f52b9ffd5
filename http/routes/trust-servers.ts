// Trust-related routes under /api/servers/:id: register a VM instance (the operator path until the launch path
// does it) and the reference measurements the built-in verifier compares evidence against. Those are the tenant
// admin's to change, not the operator's (docs/security.md): every change is versioned and kept in a history.
import { AppError } from '../../core/errors.ts';
import { idParam } from '../../core/schemas/common.ts';
import { createVmInstanceBody, referenceMeasurements, referenceMeasurementsBody, registryEntry, vmInstance } from '../../core/schemas/trust.ts';
import { z } from 'zod';
import { referenceMeasurementHistory, referenceMeasurementHistoryQuery } from '../../core/schemas/reference-measurement-history.ts';
import { findReferenceMeasurements, listReferenceMeasurementHistory, putReferenceMeasurements } from '../../sql/reference-measurements.ts';
import { getServer } from '../../sql/servers.ts';
import { getTrustRegistry } from '../../sql/trust-registry.ts';
import { transact } from '../../sql/transact.ts';
import { insertVmInstance } from '../../sql/vm-instances.ts';
import type { AppDeps } from '../deps.ts';
import { created, defineRoute, readRoles, tenantAdminRoles, writeRoles, type RouteSpec } from '../route.ts';

const tag = 'trust';

export function trustServerRoutes({ sql, db, config }: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/servers/:id/vm-instances',
      operationId: 'registerVmInstance',
      summary: 'Register a VM instance for a server; opens its trust registry entry (lifecycle pending)',
      tag,
      roles: writeRoles,
      params: idParam,
      body: createVmInstanceBody,
      problems: [409],
      responses: { 201: { description: 'Registered', schema: z.object({ instance: vmInstance, registry: registryEntry }) } },
      async handler(_ctx, { params, body, auth }) {
        try {
          const result = await transact(db, async ({ tx }) => {
            const instance = await insertVmInstance(tx, {
              ownerId: auth.owner,
              serverId: params.id,
              driver: body.driver,
              domainName: body.domain_name,
              memoryMib: body.memory_mib,
              vcpuCount: body.vcpu_count,
              isolationTier: body.isolation_tier,
              metadata: body.metadata,
              actor: auth.sub,
              freshnessSeconds: config.ATTESTATION_FRESHNESS_SECONDS,
            });
            return { instance, registry: await getTrustRegistry(tx, auth.owner, instance.id) };
          });
          return created(result, `/api/trust/registry/${result.instance.id}`);
        } catch (error) {
          if ((error as { code?: string }).code === '23505') {
            throw new AppError('already-exists', `a live ${body.driver} instance named ${body.domain_name} already exists`, { cause: error });
          }
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/servers/:id/reference-measurements',
      operationId: 'putReferenceMeasurements',
      summary: 'Register or replace (with version; stale → 409 with current_version) the reference measurements of a server (tenant admin)',
      tag,
      roles: tenantAdminRoles,
      params: idParam,
      body: referenceMeasurementsBody,
      problems: [409],
      responses: { 200: { description: 'Replaced', schema: referenceMeasurements }, 201: { description: 'Created', schema: referenceMeasurements } },
      async handler(_ctx, { params, body, auth }) {
        const { row, created: isNew } = await putReferenceMeasurements(sql, {
          ownerId: auth.owner,
          serverId: params.id,
          measurements: body.measurements,
          actor: auth.sub,
          ...(body.version === undefined ? {} : { version: body.version }),
        });
        return isNew ? created(row, `/api/servers/${params.id}/reference-measurements`) : { status: 200, body: row };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/reference-measurements',
      operationId: 'getReferenceMeasurements',
      summary: 'The reference measurements of a server',
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'Reference measurements', schema: referenceMeasurements } },
      async handler(_ctx, { params, auth }) {
        const row = await findReferenceMeasurements(sql, auth.owner, params.id);
        if (row === undefined) throw new AppError('not-found', `server ${params.id} has no reference measurements`);
        return { status: 200, body: row };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/reference-measurements/history',
      operationId: 'listReferenceMeasurementHistory',
      summary: 'Every change of the reference measurements of a server, newest first, with its actor',
      tag,
      roles: readRoles,
      params: idParam,
      query: referenceMeasurementHistoryQuery,
      responses: { 200: { description: 'History rows', schema: referenceMeasurementHistory } },
      async handler(_ctx, { params, query, auth }) {
        await getServer(sql, auth.owner, params.id);
        return { status: 200, body: { items: await listReferenceMeasurementHistory(sql, auth.owner, params.id, query.limit) } };
      },
    }),
  ];
}
