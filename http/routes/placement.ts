// The placement policy engine's surface: evaluate a server now (recorded), its decision history, one decision by
// id, and the operator overrides of transient vetoes. Owner-scoped: another owner's server or decision is 404.
import { z } from 'zod';
import { idParam, toPage } from '../../core/schemas/common.ts';
import { decisionPage, decisionParam, decisionQuery, overrideBody, placementDecision, placementOverride } from '../../core/schemas/policy.ts';
import { decideAndRecord, getDecision, insertOverride, listDecisions, listOverrides } from '../../sql/placement-decisions.ts';
import { getServer } from '../../sql/servers.ts';
import { transact } from '../../sql/transact.ts';
import type { AppDeps } from '../deps.ts';
import { created, defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';

const tag = 'policy';

export function placementRoutes({ sql, db }: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/servers/:id/placement/evaluate',
      operationId: 'evaluateServerPlacement',
      summary: 'Run every placement check against the server now and record the decision (each check verdict per candidate)',
      tag,
      roles: writeRoles,
      params: idParam,
      responses: { 201: { description: 'The recorded decision', schema: placementDecision } },
      async handler(_ctx, { params, auth }) {
        const { record } = await transact(db, ({ tx }) => decideAndRecord(tx, auth.owner, params.id, 'evaluate'));
        return created(record, `/api/placement/decisions/${record.decision_id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/placement/decisions',
      operationId: 'listPlacementDecisions',
      summary: "The server's placement decisions, newest first (cursor pagination)",
      tag,
      roles: readRoles,
      params: idParam,
      query: decisionQuery,
      responses: { 200: { description: 'A page of decisions', schema: decisionPage } },
      async handler(_ctx, { params, query, auth }) {
        await getServer(sql, auth.owner, params.id);
        const rows = await listDecisions(sql, auth.owner, params.id, { limit: query.limit, ...(query.cursor === undefined ? {} : { after: query.cursor }) });
        return { status: 200, body: toPage(rows, query.limit) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/placement/decisions/:decision_id',
      operationId: 'getPlacementDecision',
      summary: 'One placement decision: every check verdict and score per candidate, input digest, registry versions read',
      tag,
      roles: readRoles,
      params: decisionParam,
      responses: { 200: { description: 'The decision', schema: placementDecision } },
      handler: async (_ctx, { params, auth }) => ({ status: 200, body: await getDecision(sql, auth.owner, params.decision_id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/placement/overrides',
      operationId: 'listPlacementOverrides',
      summary: "The server's placement overrides, newest first, with whether each is still active",
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'Overrides', schema: z.object({ items: z.array(placementOverride) }) } },
      async handler(_ctx, { params, auth }) {
        await getServer(sql, auth.owner, params.id);
        return { status: 200, body: { items: await listOverrides(sql, auth.owner, params.id) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/servers/:id/placement/overrides',
      operationId: 'createPlacementOverride',
      summary: 'Bypass one check\'s transient veto until an expiry, with a reason (422 for a structural or cancelled veto)',
      tag,
      roles: writeRoles,
      params: idParam,
      body: overrideBody,
      problems: [422],
      responses: { 201: { description: 'The override', schema: placementOverride } },
      async handler(_ctx, { params, body, auth }) {
        const row = await transact(db, ({ tx }) =>
          insertOverride(tx, { ownerId: auth.owner, serverId: params.id, check: body.check, actor: auth.sub, reason: body.reason, expiresAt: new Date(Date.now() + body.ttl_seconds * 1000) }),
        );
        return created(row, `/api/servers/${params.id}/placement/overrides`);
      },
    }),
  ];
}
