// /api/trust/registry: the trust control plane — list (filters + cursor), detail, history, guarded operator
// transitions, and the SSE stream whose filters are the list's filters, evaluated the same way.
import { z } from 'zod';
import { assertInstanceLive } from '../../core/instance-liveness.ts';
import { encodeCursor } from '../../core/schemas/common.ts';
import {
  historyList,
  historyQuery,
  registryEntry,
  registryFilter,
  registryListQuery,
  registryPage,
  transitionBody,
  transitionResult,
  vmInstanceParam,
  type RegistryFilter,
} from '../../core/schemas/trust.ts';
import { trustRegistryStreamEvents } from '../../core/schemas/stream-events.ts';
import { listTrustHistory } from '../../sql/trust-history.ts';
import { listTrustRegistry } from '../../sql/trust-registry-list.ts';
import { transact } from '../../sql/transact.ts';
import { findVmInstance } from '../../sql/vm-instances.ts';
import { applyTrustEvent, getTrustRegistry, writerNotifyMode } from '../../sql/trust-registry.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';
import { serveStream, sseOptions } from '../stream-route.ts';
import { everyEvent, type StreamView } from '../stream-run.ts';

const tag = 'trust';

/** The list's WHERE clause, for one stream event's payload (staleness judged at delivery time, like the list at query time). */
export function matchesRegistryFilter(filter: RegistryFilter, payload: Record<string, unknown>, now: Date): boolean {
  if (filter.server_id !== undefined && payload.server_id !== filter.server_id) return false;
  if (filter.lifecycle_state !== undefined && payload.lifecycle_state !== filter.lifecycle_state) return false;
  if (filter.attestation_status !== undefined && payload.attestation_status !== filter.attestation_status) return false;
  if (filter.stale !== undefined) {
    const deadline = typeof payload.freshness_deadline === 'string' ? Date.parse(payload.freshness_deadline) : Number.NaN;
    const stale = !Number.isNaN(deadline) && deadline < now.getTime();
    if (stale !== filter.stale) return false;
  }
  return true;
}

/** The stream's view for a filter: one per distinct filter, so the hub evaluates it once per event, not per client. */
export function registryView(filter: RegistryFilter): StreamView {
  const { server_id, lifecycle_state, attestation_status, stale } = filter;
  if (server_id === undefined && lifecycle_state === undefined && attestation_status === undefined && stale === undefined) return everyEvent;
  return {
    key: `registry:${JSON.stringify([server_id ?? null, lifecycle_state ?? null, attestation_status ?? null, stale ?? null])}`,
    matches: (event) => matchesRegistryFilter(filter, event.payload, new Date()),
    frame: everyEvent.frame,
  };
}

export function trustRegistryRoutes({ sql, db, config, hub }: AppDeps): RouteSpec[] {
  const streamSettings = { hub, ...sseOptions(config) };
  return [
    // Declared before `/:vm_instance_id` so that "stream" is never read as an id.
    defineRoute({
      method: 'get',
      path: '/api/trust/registry/stream',
      operationId: 'streamTrustRegistry',
      summary: 'Stream registry transitions (SSE; same filters as the list; resume with Last-Event-ID or ?cursor=)',
      tag,
      roles: readRoles,
      query: registryFilter.extend({ cursor: z.string().optional(), access_token: z.string().optional() }),
      responses: { 200: { description: 'text/event-stream of `trust.transition` events', contentType: 'text/event-stream', events: trustRegistryStreamEvents } },
      async handler(ctx, { query, auth }) {
        const { server_id, lifecycle_state, attestation_status, stale } = query;
        return serveStream(ctx, streamSettings, { topic: 'trust-registry', ownerId: auth.owner, view: registryView({ server_id, lifecycle_state, attestation_status, stale }) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/trust/registry',
      operationId: 'listTrustRegistry',
      summary: 'List trust registry snapshots (filters server_id, lifecycle_state, attestation_status, stale; cursor pagination)',
      tag,
      roles: readRoles,
      query: registryListQuery,
      responses: { 200: { description: 'A page of registry entries', schema: registryPage } },
      async handler(_ctx, { query, auth }) {
        const { limit, cursor, ...filter } = query;
        const rows = await listTrustRegistry(sql, auth.owner, filter, { limit, ...(cursor === undefined ? {} : { after: cursor }) });
        const items = rows.slice(0, limit);
        const last = items.at(-1);
        return { status: 200, body: { items, next_cursor: rows.length > limit && last ? encodeCursor(last.vm_instance_id) : null } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/trust/registry/:vm_instance_id',
      operationId: 'getTrustRegistryEntry',
      summary: 'Latest trust posture of one VM instance',
      tag,
      roles: readRoles,
      params: vmInstanceParam,
      responses: { 200: { description: 'The registry entry', schema: registryEntry } },
      handler: async (_ctx, { params, auth }) => ({ status: 200, body: await getTrustRegistry(sql, auth.owner, params.vm_instance_id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/trust/registry/:vm_instance_id/history',
      operationId: 'listTrustHistory',
      summary: `Lifecycle transitions, newest first (limit default ${config.TRUST_HISTORY_DEFAULT_LIMIT}, max ${config.TRUST_HISTORY_MAX_LIMIT})`,
      tag,
      roles: readRoles,
      params: vmInstanceParam,
      query: historyQuery(config.TRUST_HISTORY_DEFAULT_LIMIT, config.TRUST_HISTORY_MAX_LIMIT),
      responses: { 200: { description: 'History rows', schema: historyList } },
      async handler(_ctx, { params, query, auth }) {
        await getTrustRegistry(sql, auth.owner, params.vm_instance_id);
        const items = await listTrustHistory(sql, auth.owner, params.vm_instance_id, query.limit);
        return { status: 200, body: { items, limit: query.limit } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/trust/registry/:vm_instance_id/transition',
      operationId: 'transitionTrustRegistryEntry',
      summary: 'Operator transition to a target lifecycle state (409 on a stale version, 422 when the table forbids it)',
      tag,
      roles: writeRoles,
      params: vmInstanceParam,
      body: transitionBody,
      problems: [409, 422],
      responses: { 200: { description: 'The new snapshot and its history row', schema: transitionResult } },
      async handler(_ctx, { params, body, auth }) {
        const instance = await findVmInstance(sql, auth.owner, params.vm_instance_id);
        if (instance !== undefined && body.lifecycle_state !== 'retired') assertInstanceLive(instance, 'it can only be retired');
        const result = await transact(db, (uow) =>
          applyTrustEvent(uow, {
            ownerId: auth.owner,
            vmInstanceId: params.vm_instance_id,
            expectedVersion: body.version,
            event: { kind: 'operator', target: body.lifecycle_state },
            actor: auth.sub,
            provenance: { reason: body.reason ?? `operator moved the instance to ${body.lifecycle_state}` },
            freshnessSeconds: config.ATTESTATION_FRESHNESS_SECONDS,
            notify: writerNotifyMode(config.TRUST_NOTIFY),
          }),
        );
        return { status: 200, body: { registry: result.registry, history: result.history } };
      },
    }),
  ];
}
